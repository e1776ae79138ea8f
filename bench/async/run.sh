#!/usr/bin/env bash
# Concurrency benchmarks: 1 000 concurrent WebSocket connections in one process.
#   clients: Sigil's `(sigil async)` scheduler (bench/async/many.sgl) vs Python
#            `websockets` on asyncio (bench/async/many_asyncio.py), both against the same
#            tungstenite echo server (sigil-testserver) on 127.0.0.1;
#   servers: Sigil's `ws-serve` echo server (examples/echo-server.sgl) vs Python
#            `websockets` on asyncio (bench/ws/echo_server_websockets.py), both under the
#            same load generator: CONNECTIONS tungstenite clients, connected at once
#            by a thread each, then driven by one event loop (ws_bench_client --load,
#            i.e. sigil_testserver::echo_load).
#
# Usage: bash bench/async/run.sh [-n RUNS] [--port P] [--no-pin] [--only clients|servers]
#   -n RUNS    runs per client or server (default 3); the median of each metric is reported
#   --port P   server port (default 0 = a free port)
#   --no-pin   do not pin (default: server on CPU 1, clients on CPU 0, with taskset)
#   --only X   run only the clients or only the servers table
#
# Environment: CARGO_TARGET_DIR is honoured by the release builds; CONNECTIONS (1000)
# and ROUND_TRIPS (100 per connection) change the workload size.
#
# Workload (the same in both clients): CONNECTIONS tasks in one event loop, each opening
# its own connection, doing ROUND_TRIPS round trips of a 32-byte text message (distinct
# per connection; send, wait for the echo, compare it with what was sent) and closing.
# Each client times the whole workload itself (connect + round trips + close of every
# connection; process start-up is not timed) and prints
#   round_trips=VERIFIED seconds=ELAPSED rt_per_s=RATE
# Peak RSS (KiB) and user+sys CPU time of the client process come from /usr/bin/time
# (-f "%M %U %S"); CPU us / rt = that CPU time / verified round trips. A run that
# verifies fewer echoes than CONNECTIONS x ROUND_TRIPS (or exits non-zero) fails.
#
# Servers: a fresh server process per run. The load generator connects every client
# first (then the server's resident memory with CONNECTIONS idle connections is read),
# then each does its round trips, every echo compared, and closes; the rate counts
# connect + round trips + close. The server's peak RSS (VmHWM) and CPU time (utime +
# stime) are read from /proc/PID before it is stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/async"
RUNS=3
PORT=0
PIN=1
ONLY=""
CONNECTIONS="${CONNECTIONS:-1000}"
ROUND_TRIPS="${ROUND_TRIPS:-100}"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n needs a positive integer" >&2; exit 2; }
        RUNS="$2"; shift 2 ;;
    --port) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "run.sh: --port needs a number" >&2; exit 2; }
        PORT="$2"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --only) [[ $# -ge 2 && "$2" =~ ^(clients|servers)$ ]] || { echo "run.sh: --only needs clients or servers" >&2; exit 2; }
        ONLY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

# ---------------------------------------------------------------- limits
# The server holds one socket per connection (plus the listener), the client as many:
# 1 000 connections need more than the usual 1 024 descriptors.
NEED=$((CONNECTIONS + 64))
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$NEED" ]]; then
  log "open-file limit $(ulimit -n) is below the $NEED descriptors needed (raise the hard limit)"; exit 1
fi

# ---------------------------------------------------------------- tools
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
log "building sigil, sigil-testserver and the load generator (release)..."
(cd "$ROOT" && cargo build --release --quiet -p sigil -p sigil-testserver --bins --example ws_bench_client)
SIGIL="$TARGET/release/sigil"
SERVER="$TARGET/release/sigil-testserver"
LOAD="$TARGET/release/examples/ws_bench_client" # --load mode
for b in "$SIGIL" "$SERVER" "$LOAD"; do
  [[ -x "$b" ]] || { log "missing binary $b"; exit 1; }
done

ensure_python_websockets websockets
PYTHON_VERSION="$("$PYTHON" -c 'import platform; print(platform.python_version())')"

[[ -x /usr/bin/time ]] || { log "/usr/bin/time is required (GNU time, for peak RSS)"; exit 1; }
if [[ $PIN == 1 ]]; then
  command -v taskset >/dev/null || { log "taskset is required (util-linux), or use --no-pin"; exit 1; }
  [[ "$(nproc)" -ge 2 ]] || { log "pinning needs 2 CPUs; use --no-pin"; exit 1; }
  SERVER_PIN=(taskset -c 1)
  CLIENT_PIN=(taskset -c 0)
else
  SERVER_PIN=()
  CLIENT_PIN=()
fi

# ---------------------------------------------------------------- results
# record KEY OUT RSS_KIB CPU_SECONDS [BASE_KIB]: checks OUT ("round_trips=N seconds=S ..."
# with optional idle_rss_kib and echo_seconds) and appends "rt_per_s peak_rss_kib
# cpu_us_per_rt idle_kib_per_connection echo_rt_per_s" to $WORK/KEY.results (the last two
# are 0 without BASE_KIB / echo_seconds).
record() {
  local key="$1" out="$2" rss="$3" cpu="$4" base="${5:-}"
  awk -v want="$((CONNECTIONS * ROUND_TRIPS))" -v name="$key" -v rss="$rss" -v cpu="$cpu" \
      -v base="$base" -v conns="$CONNECTIONS" '
    /round_trips=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END {
      if (v["round_trips"] != want || v["seconds"] <= 0 || rss !~ /^[0-9]+$/) {
        print "run.sh: " name " verified " v["round_trips"] "/" want " echoes (rss " rss ")" > "/dev/stderr"
        exit 1
      }
      idle = (base != "" && v["idle_rss_kib"] != "") ? (v["idle_rss_kib"] - base) / conns : 0
      echo = (v["echo_seconds"] > 0) ? v["round_trips"] / v["echo_seconds"] : 0
      printf "%.1f %d %.2f %.2f %.1f\n", v["round_trips"] / v["seconds"], rss, cpu * 1e6 / v["round_trips"], idle, echo
    }' "$out" >>"$WORK/$key.results"
}

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# print_table KIND: medians of KIND-sigil and KIND-python (labels in LABEL[KIND-NAME]) and
# Sigil's ratios; sets RT[NAME] and MEM[NAME].
declare -A LABEL RT MEM CPU_RT IDLE ECHO
print_table() {
  local kind="$1" n server=0
  [[ $kind == server ]] && server=1
  for n in sigil python; do
    RT[$n]="$(awk '{print $1}' "$WORK/$kind-$n.results" | median)"
    MEM[$n]="$(awk '{print $2}' "$WORK/$kind-$n.results" | median)"
    CPU_RT[$n]="$(awk '{print $3}' "$WORK/$kind-$n.results" | median)"
    IDLE[$n]="$(awk '{print $4}' "$WORK/$kind-$n.results" | median)"
    ECHO[$n]="$(awk '{print $5}' "$WORK/$kind-$n.results" | median)"
  done
  # Server-only columns: memory per idle connection, rate of the echo phase alone.
  extra() { [[ $server == 1 ]] && printf "$1" "$2" || echo -; }
  printf '| %-44s | %13s | %13s | %13s | %15s | %15s | %-27s | %-18s |\n' "$kind" "round trips/s" "peak RSS MiB" \
    "CPU us / rt" "KiB / idle conn" "echo-phase rt/s" "rt/s of each run" "MiB of each run"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------------------------------- --------------: --------------: \
    --------------: ----------------: ----------------: ----------------------------- --------------------
  for n in sigil python; do
    printf '| %-44s | %13.0f | %13s | %13.1f | %15s | %15s | %-27s | %-18s |\n' "${LABEL[$kind-$n]}" "${RT[$n]}" \
      "$(mib "${MEM[$n]}")" "${CPU_RT[$n]}" "$(extra %.1f "${IDLE[$n]}")" "$(extra %.0f "${ECHO[$n]}")" \
      "$(runs_of "$kind-$n" 1)" "$(runs_of "$kind-$n" 2 1024 %.1f)"
  done
  printf '| %-44s | %13s | %13s | %13s | %15s | %15s | %-27s | %-18s |\n' "Sigil / Python" "$(ratio "${RT[sigil]}" "${RT[python]}")" \
    "$(ratio "${MEM[sigil]}" "${MEM[python]}")" "$(ratio "${CPU_RT[sigil]}" "${CPU_RT[python]}")" \
    "$(extra %s "$(ratio "${IDLE[sigil]}" "${IDLE[python]}")")" "$(extra %s "$(ratio "${ECHO[sigil]}" "${ECHO[python]}")")" "" ""
  echo
  echo "target:   Sigil round trips/s >= 2x Python's: $(awk -v a="${RT[sigil]}" -v b="${RT[python]}" 'BEGIN {print (a >= 2 * b) ? "met" : "MISSED"}') ($(ratio "${RT[sigil]}" "${RT[python]}"))"
  echo "target:   Sigil peak RSS <= 0.5x Python's:    $(awk -v a="${MEM[sigil]}" -v b="${MEM[python]}" 'BEGIN {print (2 * a <= b) ? "met" : "MISSED"}') ($(ratio "${MEM[sigil]}" "${MEM[python]}"))"
}

make_work
print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "workload: $CONNECTIONS concurrent connections x $ROUND_TRIPS round trips of a 32-byte text message, every echo compared; timed: connect + round trips + close"
echo "runs:     $RUNS per client or server, interleaved; median reported"
echo "pinning:  $([[ $PIN == 1 ]] && echo 'server on CPU 1, clients / load generator on CPU 0 (taskset)' || echo none)"

# ---------------------------------------------------------------- clients
if [[ $ONLY != servers ]]; then
  start_server testserver "${SERVER_PIN[@]}" "$SERVER" --bind 127.0.0.1 --port "$PORT"
  URL="ws://127.0.0.1:$SERVER_PORT/echo"
  LABEL[client-sigil]="Sigil (sigil async)"
  LABEL[client-python]="Python $PYTHON_VERSION websockets $WEBSOCKETS_VERSION (asyncio)"
  client_cmd() {
    case "$1" in
      sigil) echo "$SIGIL $HERE/many.sgl" ;;
      python) echo "$PYTHON $HERE/many_asyncio.py" ;;
    esac
  }
  # run_client NAME: peak RSS and CPU of the client process from /usr/bin/time.
  run_client() {
    local name="$1" out="$WORK/client-$1.out" cmd rss user sys
    read -r -a cmd <<<"$(client_cmd "$name")"
    if ! /usr/bin/time -f "%M %U %S" -o "$out.rss" "${CLIENT_PIN[@]}" "${cmd[@]}" "$URL" "$CONNECTIONS" "$ROUND_TRIPS" \
         >"$out" 2>"$out.err"; then
      cat "$out" "$out.err" >&2; log "$name client failed"; return 1
    fi
    read -r rss user sys < <(tail -n 1 "$out.rss")
    record "client-$name" "$out" "$rss" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
  }
  echo
  echo "clients against sigil-testserver (tungstenite echo, a thread per connection) at $URL;"
  echo "peak RSS and CPU (user+sys) of the client process from /usr/bin/time:"
  FAIL=0
  for ((r = 1; r <= RUNS; r++)); do
    for c in sigil python; do run_client "$c" || FAIL=1; done
    log "clients: run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  [[ $FAIL == 0 ]] || { log "FAILED: a client failed or did not verify every echo"; exit 1; }
  stop_server "$SERVER_PID"
  echo
  print_table client
fi

# ---------------------------------------------------------------- servers
if [[ $ONLY != clients ]]; then
  LABEL[server-sigil]="Sigil ws-serve (examples/echo-server.sgl)"
  LABEL[server-python]="Python $PYTHON_VERSION websockets $WEBSOCKETS_VERSION (asyncio)"
  server_cmd() {
    case "$1" in
      sigil) echo "$SIGIL $ROOT/examples/echo-server.sgl $PORT" ;;
      python) echo "$PYTHON $ROOT/bench/ws/echo_server_websockets.py $PORT" ;;
    esac
  }
  # status_kib PID FIELD: a memory line of /proc/PID/status, in KiB.
  status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
  # cpu_seconds PID: utime + stime of /proc/PID/stat.
  cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"; }
  # run_server NAME: a fresh server, the load generator, the server's memory and CPU.
  run_server() {
    local name="$1" out="$WORK/server-$1.out" cmd base
    read -r -a cmd <<<"$(server_cmd "$name")"
    start_server "$name" "${SERVER_PIN[@]}" "${cmd[@]}"
    sleep 0.5
    base="$(status_kib "$SERVER_PID" VmRSS)"
    if ! "${CLIENT_PIN[@]}" "$LOAD" --load "ws://127.0.0.1:$SERVER_PORT/" "$CONNECTIONS" "$ROUND_TRIPS" "$SERVER_PID" \
         >"$out" 2>"$out.err"; then
      cat "$out" "$out.err" >&2; log "load on the $name server failed"; stop_server "$SERVER_PID"; return 1
    fi
    local peak cpu
    peak="$(status_kib "$SERVER_PID" VmHWM)"
    cpu="$(cpu_seconds "$SERVER_PID")"
    stop_server "$SERVER_PID"
    record "server-$name" "$out" "$peak" "$cpu" "$base"
  }
  echo
  echo "servers under one load generator ($CONNECTIONS tungstenite clients in one event loop: ws_bench_client --load);"
  echo "peak RSS (VmHWM), CPU (utime+stime) and memory per idle connection of the server process:"
  FAIL=0
  for ((r = 1; r <= RUNS; r++)); do
    for c in sigil python; do run_server "$c" || FAIL=1; done
    log "servers: run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  [[ $FAIL == 0 ]] || { log "FAILED: a server run failed or did not verify every echo"; exit 1; }
  echo
  print_table server
fi
echo
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after)"
