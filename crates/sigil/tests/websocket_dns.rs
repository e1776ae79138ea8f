//! Issue 13: the connect timeout covers name resolution, outside tasks as inside them,
//! against a name server that never answers (sigil-testserver's DNS sink).
//!
//! The C resolver asks the name servers of `/etc/resolv.conf`, on port 53. So this test
//! runs itself again inside new user, network and mount namespaces (`unshare -Urnm`),
//! where it may bring the loopback interface up, mount its own `resolv.conf` (and
//! `nsswitch.conf`) over the system's and bind 127.0.0.1:53; there it starts the sink
//! and runs `sigil`. It needs `unshare` (util-linux), `ip` (iproute2), `mount`, and a
//! kernel that allows user namespaces; it fails, saying so, when they are missing.
//! (A harness-less test binary: `main` is the test.)

mod child;

use std::process::Command;

use child::assert_took;

/// Set in the environment of the run inside the namespaces.
const INSIDE: &str = "SIGIL_DNS_TEST_INSIDE";

/// The program run inside: two connects to a name only the sink could answer.
const PROGRAM: &str = r#"
(timed "blocking" (lambda () (or (ws-connect "ws://never-answers.test/" '((timeout . 0.5))) (ws-last-error))))
(timed "task" (lambda ()
  (async-run (lambda ()
    (or (ws-connect "ws://never-answers.test/" '((timeout . 0.5))) (ws-last-error))))))
"#;

fn main() {
    if std::env::var_os(INSIDE).is_some() {
        inside();
    } else {
        outside();
    }
}

/// Re-runs this binary inside the namespaces, with the resolver pointed at 127.0.0.1.
fn outside() {
    let dir = std::env::temp_dir().join(format!("sigil-dns-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let resolv = dir.join("resolv.conf");
    let nsswitch = dir.join("nsswitch.conf");
    std::fs::write(
        &resolv,
        "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n",
    )
    .expect("resolv.conf written");
    std::fs::write(&nsswitch, "hosts: files dns\n").expect("nsswitch.conf written");
    let me = std::env::current_exe().expect("test binary path");
    let output = Command::new("unshare")
        .args(["-Urnm", "sh", "-c"])
        .arg(
            "ip link set lo up && mount --bind \"$1\" /etc/resolv.conf \
             && mount --bind \"$2\" /etc/nsswitch.conf && exec \"$3\"",
        )
        .arg("sh")
        .args([&resolv, &nsswitch, &me])
        .env(INSIDE, "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run unshare (util-linux): {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the run inside new user, network and mount namespaces failed \
         (this test needs unshare -Urnm, ip and mount):\n{stdout}\n{stderr}"
    );
    print!("{stdout}");
}

/// Inside the namespaces: the sink on 127.0.0.1:53, then `sigil` must give up on the
/// lookups at the connect timeout.
fn inside() {
    sigil_testserver::start_dns_sink("127.0.0.1:53".parse().unwrap())
        .expect("DNS sink on 127.0.0.1:53");
    let run = child::run_program(0, PROGRAM);
    let out = &run.stdout;
    // Before the fix, the blocking lookup took the resolver's own timeout (30 s here).
    assert_took(out, "blocking", 500, "timed out");
    assert_took(out, "task", 500, "timed out");
    println!("connects to a name nobody answers gave up at the connect timeout:\n{out}");
}
