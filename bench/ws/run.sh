#!/usr/bin/env bash
# WebSocket benchmarks, on 127.0.0.1:
#   clients: Sigil's (sigil websocket) client vs Python `websockets` (sync client) vs a
#            Rust `tungstenite` client, all against the same tungstenite echo server
#            (sigil-testserver);
#   servers: Sigil's echo server (examples/echo-server.sgl, ws-serve) vs Python
#            `websockets` (asyncio, bench/ws/echo_server_websockets.py) vs tungstenite
#            (sigil-testserver), all under the same Rust tungstenite client.
#
# Usage: bash bench/ws/run.sh [-n RUNS] [--port P] [--no-pin] [--no-mask] [--no-deflate] [--only clients|servers]
#   -n RUNS       runs per client or server (default 3); the median of each metric is reported
#   --port P      server port (default 0 = a free port)
#   --no-pin      do not pin client and server to CPU 0 (default: both `taskset -c 0`)
#   --no-mask     skip the sigil-ws masking micro-benchmark (criterion, 1 MiB)
#   --no-deflate  skip the compressed (permessage-deflate) client benchmark
#   --only X      run only the client tables (clients, compressed, masking) or only the servers table
#
# Environment: CARGO_TARGET_DIR is honoured by the release builds; ROUND_TRIPS (20000)
# and BULK_MESSAGES (256) change the workload sizes, DEFLATE_ROUND_TRIPS (5000) and
# DEFLATE_BULK (32) those of the compressed benchmark.
#
# Workloads (the same in every client, see bench/ws/echo.sgl):
#   1. ROUND_TRIPS round trips of a 32-byte text message: send, wait for the echo,
#      compare it with what was sent              -> round trips per second
#   2. BULK_MESSAGES binary messages of 1 MiB, each echo awaited and compared
#                                                 -> MB/s = payload bytes sent one way
#      (BULK_MESSAGES x 1 MiB = 256 MiB by default) / seconds / 10^6
# The tungstenite server declines Sigil's permessage-deflate offer, so these run
# uncompressed (and the servers table too: the Rust client offers no compression).
# Then, compressed (permessage-deflate on both sides, Sigil vs Python websockets
# clients, against the same sigil-testserver's /deflate/echo route: raw frames and
# flate2, context takeover both ways, 15-bit windows, zlib level 6):
#   3. DEFLATE_ROUND_TRIPS round trips of JSON text of about 1 KiB (64 documents cycled)
#   4. DEFLATE_BULK echoes of a JSON text of about 1 MiB (1 062 256 bytes)
# Each client times each workload itself (monotonic clock around just that loop, after
# an untimed warm-up of 100 text round trips and 2 bulk messages); connecting, building
# the payload and process start-up are not timed. A run that reports fewer verified
# echoes than asked for (or exits non-zero) fails the benchmark.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/ws"
RUNS=3
PORT=0
PIN=1
MASK=1
DEFLATE=1
ONLY=""
ROUND_TRIPS="${ROUND_TRIPS:-20000}"
BULK_MESSAGES="${BULK_MESSAGES:-256}"
DEFLATE_ROUND_TRIPS="${DEFLATE_ROUND_TRIPS:-5000}"
DEFLATE_BULK="${DEFLATE_BULK:-32}"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n needs a positive integer" >&2; exit 2; }
        RUNS="$2"; shift 2 ;;
    --port) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "run.sh: --port needs a number" >&2; exit 2; }
        PORT="$2"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --no-mask) MASK=0; shift ;;
    --no-deflate) DEFLATE=0; shift ;;
    --only) [[ $# -ge 2 && "$2" =~ ^(clients|servers)$ ]] || { echo "run.sh: --only needs clients or servers" >&2; exit 2; }
        ONLY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

# ---------------------------------------------------------------- tools
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
log "building sigil, sigil-testserver and the tungstenite client (release)..."
(cd "$ROOT" && cargo build --release --quiet -p sigil -p sigil-testserver --bins --example ws_bench_client)
SIGIL="$TARGET/release/sigil"
SERVER="$TARGET/release/sigil-testserver"
RUST_CLIENT="$TARGET/release/examples/ws_bench_client" # = cargo run --release -p sigil-testserver --example ws_bench_client
for b in "$SIGIL" "$SERVER" "$RUST_CLIENT"; do
  [[ -x "$b" ]] || { log "missing binary $b"; exit 1; }
done

ensure_python_websockets websockets.sync.client

if [[ $PIN == 1 ]]; then
  command -v taskset >/dev/null || { log "taskset is required (util-linux), or use --no-pin"; exit 1; }
  PINNED=(taskset -c 0)
else
  PINNED=()
fi

# ---------------------------------------------------------------- running one echo workload
# run_echo KEY URL RT BULK MODE CMD... -> runs CMD URL RT BULK [MODE] (pinned) and
# appends "rt_per_s mb_per_s" to $WORK/KEY.results
run_echo() {
  local key="$1" url="$2" rt="$3" bulk="$4" mode="$5" out="$WORK/$1.out"; shift 5
  # shellcheck disable=SC2086 # MODE is empty or one word
  if ! "${PINNED[@]}" "$@" "$url" "$rt" "$bulk" $mode >"$out" 2>"$out.err"; then
    cat "$out" "$out.err" >&2; log "$key failed"; return 1
  fi
  awk -v want_rt="$rt" -v want_bulk="$bulk" -v name="$key" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END {
      if (v["text_ok"] != want_rt || v["bulk_ok"] != want_bulk || v["text_us"] <= 0 || v["bulk_us"] <= 0) {
        print "run.sh: " name " verified " v["text_ok"] "/" want_rt " text and " v["bulk_ok"] "/" want_bulk " bulk echoes" > "/dev/stderr"
        exit 1
      }
      printf "%.1f %.1f\n", v["text_ok"] * 1e6 / v["text_us"], v["bulk_bytes"] / v["bulk_us"]
    }' "$out" >>"$WORK/$key.results"
}


# print_table KIND: the medians of KIND-sigil, KIND-python and KIND-rust (labels in
# LABEL[KIND-NAME]), and Sigil's ratios to the others; sets RT[NAME] and MB[NAME].
declare -A LABEL RT MB
print_table() {
  local kind="$1" n
  for n in sigil python rust; do
    RT[$n]="$(awk '{print $1}' "$WORK/$kind-$n.results" | median)"
    MB[$n]="$(awk '{print $2}' "$WORK/$kind-$n.results" | median)"
  done
  printf '| %-42s | %14s | %9s | %-37s | %-31s |\n' "$kind" "round trips/s" "MB/s" "rt/s of each run" "MB/s of each run"
  printf '|%s|%s|%s|%s|%s|\n' -------------------------------------------- ---------------: ----------: --------------------------------------- ---------------------------------
  for n in sigil python rust; do
    printf '| %-42s | %14.0f | %9.0f | %-37s | %-31s |\n' "${LABEL[$kind-$n]}" "${RT[$n]}" "${MB[$n]}" \
      "$(runs_of "$kind-$n" 1)" "$(runs_of "$kind-$n" 2)"
  done
  printf '| %-42s | %14s | %9s | %-37s | %-31s |\n' "Sigil / Python websockets" "$(ratio "${RT[sigil]}" "${RT[python]}")" "$(ratio "${MB[sigil]}" "${MB[python]}")" "" ""
  printf '| %-42s | %14s | %9s | %-37s | %-31s |\n' "Sigil / tungstenite" "$(ratio "${RT[sigil]}" "${RT[rust]}")" "$(ratio "${MB[sigil]}" "${MB[rust]}")" "" ""
}

make_work
print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "workload: $ROUND_TRIPS x 32-byte text round trips; $BULK_MESSAGES x 1 MiB binary echoes; every echo compared"
echo "runs:     $RUNS per client or server, interleaved; median reported; MB/s = 10^6 payload bytes sent one way per second"
echo "pinning:  $([[ $PIN == 1 ]] && echo 'server and client pinned to CPU 0 (taskset -c 0)' || echo none)"

# ---------------------------------------------------------------- clients
if [[ $ONLY != servers ]]; then
  start_server testserver "${PINNED[@]}" "$SERVER" --bind 127.0.0.1 --port "$PORT"
  URL="ws://127.0.0.1:$SERVER_PORT/echo"
  LABEL[client-sigil]="Sigil (sigil websocket)"
  LABEL[client-python]="Python websockets $WEBSOCKETS_VERSION (sync)"
  LABEL[client-rust]="Rust tungstenite 0.29"
  client_cmd() {
    case "$1" in
      sigil) echo "$SIGIL $HERE/echo.sgl" ;;
      python) echo "$PYTHON $HERE/echo_websockets.py" ;;
      rust) echo "$RUST_CLIENT" ;;
    esac
  }
  echo
  echo "clients against sigil-testserver (tungstenite echo) at $URL:"
  FAIL=0
  for ((r = 1; r <= RUNS; r++)); do
    for c in sigil python rust; do
      read -r -a cmd <<<"$(client_cmd "$c")"
      run_echo "client-$c" "$URL" "$ROUND_TRIPS" "$BULK_MESSAGES" "" "${cmd[@]}" || FAIL=1
    done
    log "clients: run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  [[ $FAIL == 0 ]] || { log "FAILED: a client failed or did not verify every echo"; exit 1; }
  echo
  print_table client
  echo
  echo "target:   Sigil round trips >= 2x Python websockets: $(met "${RT[sigil]}" "$(awk -v p="${RT[python]}" 'BEGIN {print 2 * p}')") ($(ratio "${RT[sigil]}" "${RT[python]}"))"
  echo "target:   Sigil bulk MB/s >= tungstenite's:          $(met "${MB[sigil]}" "${MB[rust]}") ($(ratio "${MB[sigil]}" "${MB[rust]}"))"

  # -------------------------------------------------------------- compressed
  if [[ $DEFLATE == 1 ]]; then
    echo
    DEFLATE_URL="${URL%/echo}/deflate/echo"
    echo "compressed: permessage-deflate on both sides (zlib level 6 everywhere), sigil-testserver /deflate/echo at $DEFLATE_URL"
    echo "workload:   $DEFLATE_ROUND_TRIPS round trips of ~1 KiB JSON text (64 documents cycled); $DEFLATE_BULK echoes of a 1 062 256-byte JSON text; every echo compared"
    echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (before)"
    JSON_CLIENTS=(sigil-json python-json)
    declare -A JLABEL=([sigil-json]="Sigil, compressed" [python-json]="Python websockets $WEBSOCKETS_VERSION, compressed")
    FAIL=0
    for ((r = 1; r <= RUNS; r++)); do
      for c in "${JSON_CLIENTS[@]}"; do
        read -r -a cmd <<<"$(client_cmd "${c%-json}")"
        run_echo "$c" "$DEFLATE_URL" "$DEFLATE_ROUND_TRIPS" "$DEFLATE_BULK" json "${cmd[@]}" || FAIL=1
      done
      log "compressed run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
    done
    [[ $FAIL == 0 ]] || { log "FAILED: a compressed client failed or did not verify every echo"; exit 1; }
    for c in "${JSON_CLIENTS[@]}"; do
      RT[$c]="$(awk '{print $1}' "$WORK/$c.results" | median)"
      MB[$c]="$(awk '{print $2}' "$WORK/$c.results" | median)"
    done
    printf '| %-34s | %14s | %9s | %-37s | %-31s |\n' client "round trips/s" "MB/s" "rt/s of each run" "MB/s of each run"
    printf '|%s|%s|%s|%s|%s|\n' ------------------------------------ ---------------: ----------: --------------------------------------- ---------------------------------
    for c in "${JSON_CLIENTS[@]}"; do
      printf '| %-34s | %14.0f | %9.0f | %-37s | %-31s |\n' "${JLABEL[$c]}" "${RT[$c]}" "${MB[$c]}" "$(runs_of "$c" 1)" "$(runs_of "$c" 2)"
    done
    printf '| %-34s | %14s | %9s | %-37s | %-31s |\n' "Sigil / Python websockets" "$(ratio "${RT[sigil-json]}" "${RT[python-json]}")" "$(ratio "${MB[sigil-json]}" "${MB[python-json]}")" "" ""
    echo
    echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (after)"
    echo "target:     compressed round trips >= 2x Python websockets: $(met "${RT[sigil-json]}" "$(awk -v p="${RT[python-json]}" 'BEGIN {print 2 * p}')") ($(ratio "${RT[sigil-json]}" "${RT[python-json]}"))"
    echo "target:     compressed MB/s >= Python websockets:           $(met "${MB[sigil-json]}" "${MB[python-json]}") ($(ratio "${MB[sigil-json]}" "${MB[python-json]}"))"
  fi
  stop_server "$SERVER_PID"
fi

# ---------------------------------------------------------------- servers
if [[ $ONLY != clients ]]; then
  LABEL[server-sigil]="Sigil ws-serve (examples/echo-server.sgl)"
  LABEL[server-python]="Python websockets $WEBSOCKETS_VERSION (asyncio)"
  LABEL[server-rust]="Rust tungstenite 0.29 (sigil-testserver)"
  server_cmd() {
    case "$1" in
      sigil) echo "$SIGIL $ROOT/examples/echo-server.sgl $PORT" ;;
      python) echo "$PYTHON $HERE/echo_server_websockets.py $PORT" ;;
      rust) echo "$SERVER --bind 127.0.0.1 --port $PORT" ;;
    esac
  }
  echo
  echo "servers under the Rust tungstenite client (ws_bench_client), a fresh server process per run:"
  FAIL=0
  for ((r = 1; r <= RUNS; r++)); do
    for s in sigil python rust; do
      read -r -a cmd <<<"$(server_cmd "$s")"
      start_server "$s" "${PINNED[@]}" "${cmd[@]}"
      run_echo "server-$s" "ws://127.0.0.1:$SERVER_PORT/echo" "$ROUND_TRIPS" "$BULK_MESSAGES" "" "$RUST_CLIENT" || FAIL=1
      stop_server "$SERVER_PID"
    done
    log "servers: run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  [[ $FAIL == 0 ]] || { log "FAILED: a server run failed or did not verify every echo"; exit 1; }
  echo
  print_table server
  echo
  echo "target:   Sigil server round trips >= 2x Python websockets': $(met "${RT[sigil]}" "$(awk -v p="${RT[python]}" 'BEGIN {print 2 * p}')") ($(ratio "${RT[sigil]}" "${RT[python]}"))"
  echo "target:   Sigil server round trips >= 0.8x tungstenite's:   $(met "${RT[sigil]}" "$(awk -v p="${RT[rust]}" 'BEGIN {print 0.8 * p}')") ($(ratio "${RT[sigil]}" "${RT[rust]}"))"
fi
echo
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after)"

# ---------------------------------------------------------------- masking
if [[ $MASK == 1 && $ONLY != servers ]]; then
  echo
  log "running the sigil-ws mask bench (criterion)..."
  (cd "$ROOT" && cargo bench --quiet -p sigil-ws --bench mask -- --warm-up-time 1 --measurement-time 3) >"$WORK/mask.out" 2>&1 \
    || { cat "$WORK/mask.out" >&2; log "mask bench failed"; exit 1; }
  # "1MiB/memcpy  time: [lo mid hi unit]" -> mid in ns
  mask_ns() {
    awk -v id="1MiB/$1" '
      $1 == id { found = 1 }
      found && /time:/ {
        sub(/.*time: *\[/, ""); split($0, f, " "); t = f[3]; u = f[4]
        m = (u == "ps") ? 1e-3 : (u == "ns") ? 1 : (u == "µs" || u == "us") ? 1e3 : (u == "ms") ? 1e6 : 1e9
        printf "%.1f\n", t * m; exit
      }' "$WORK/mask.out"
  }
  echo "mask bench (cargo bench -p sigil-ws --bench mask -- --warm-up-time 1 --measurement-time 3), 1 MiB, median time:"
  MEMCPY="$(mask_ns memcpy)"
  for b in memcpy apply_mask apply_mask_unaligned copy_and_mask; do
    ns="$(mask_ns "$b")"
    awk -v b="$b" -v ns="$ns" -v base="$MEMCPY" 'BEGIN {
      printf "  %-22s %9.1f µs  %6.2f GB/s  %5.2fx memcpy speed\n", b, ns / 1e3, 1048576 / ns, base / ns }'
  done
  awk -v a="$(mask_ns apply_mask)" -v m="$MEMCPY" 'BEGIN {
    printf "target:   apply_mask >= 0.9x memcpy on 1 MiB: %s (%.2fx)\n", (m / a >= 0.9) ? "met" : "MISSED", m / a }'
fi
