#!/usr/bin/env bash
# Concurrency benchmark: 1 000 concurrent WebSocket connections in one process, Sigil's
# `(sigil async)` scheduler (bench/async/many.sgl) vs Python `websockets` on asyncio
# (bench/async/many_asyncio.py), both against the same tungstenite echo server
# (sigil-testserver) on 127.0.0.1.
#
# Usage: bash bench/async/run.sh [-n RUNS] [--port P] [--no-pin]
#   -n RUNS    runs per client (default 3); the median of each metric is reported
#   --port P   server port (default 0 = a free port)
#   --no-pin   do not pin (default: server on CPU 1, clients on CPU 0, with taskset)
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
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/async"
RUNS=3
PORT=0
PIN=1
CONNECTIONS="${CONNECTIONS:-1000}"
ROUND_TRIPS="${ROUND_TRIPS:-100}"

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n needs a positive integer" >&2; exit 2; }
        RUNS="$2"; shift 2 ;;
    --port) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "run.sh: --port needs a number" >&2; exit 2; }
        PORT="$2"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
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
log "building sigil and sigil-testserver (release)..."
(cd "$ROOT" && cargo build --release --quiet -p sigil -p sigil-testserver)
SIGIL="$TARGET/release/sigil"
SERVER="$TARGET/release/sigil-testserver"
for b in "$SIGIL" "$SERVER"; do
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

# ---------------------------------------------------------------- server
start_echo_server "$SERVER" "$PORT" "${SERVER_PIN[@]}"

# ---------------------------------------------------------------- clients
CLIENTS=(sigil python)
declare -A LABEL=([sigil]="Sigil (sigil async)" [python]="Python $PYTHON_VERSION websockets $WEBSOCKETS_VERSION (asyncio)")
client_cmd() {
  case "$1" in
    sigil) echo "$SIGIL $HERE/many.sgl" ;;
    python) echo "$PYTHON $HERE/many_asyncio.py" ;;
  esac
}

# run_client NAME -> appends "rt_per_s peak_rss_kib cpu_us_per_rt" to $WORK/NAME.results
run_client() {
  local name="$1" out="$WORK/$1.out" cmd
  read -r -a cmd <<<"$(client_cmd "$name")"
  if ! /usr/bin/time -f "%M %U %S" -o "$out.rss" "${CLIENT_PIN[@]}" "${cmd[@]}" "$URL" "$CONNECTIONS" "$ROUND_TRIPS" \
       >"$out" 2>"$out.err"; then
    cat "$out" "$out.err" >&2; log "$name client failed"; return 1
  fi
  local rss cpu
  read -r rss user sys < <(tail -n 1 "$out.rss")
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
  awk -v want="$((CONNECTIONS * ROUND_TRIPS))" -v name="$name" -v rss="$rss" -v cpu="$cpu" '
    /round_trips=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END {
      if (v["round_trips"] != want || v["seconds"] <= 0 || rss !~ /^[0-9]+$/) {
        print "run.sh: " name " verified " v["round_trips"] "/" want " echoes (rss " rss ")" > "/dev/stderr"
        exit 1
      }
      printf "%.1f %d %.2f\n", v["round_trips"] / v["seconds"], rss, cpu * 1e6 / v["round_trips"]
    }' "$out" >>"$WORK/$name.results"
}

print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "server:   sigil-testserver (tungstenite echo, a thread per connection) at $URL$([[ $PIN == 1 ]] && echo '; server pinned to CPU 1, clients to CPU 0 (taskset)')"
echo "workload: $CONNECTIONS concurrent connections x $ROUND_TRIPS round trips of a 32-byte text message, every echo compared; timed: connect + round trips + close"
echo "runs:     $RUNS per client, interleaved; median reported; peak RSS and CPU (user+sys) of the client process from /usr/bin/time"
echo

FAIL=0
for ((r = 1; r <= RUNS; r++)); do
  for c in "${CLIENTS[@]}"; do
    run_client "$c" || FAIL=1
  done
  log "run $r/$RUNS done (load $(cut -d' ' -f1 /proc/loadavg))"
done
[[ $FAIL == 0 ]] || { log "FAILED: a client failed or did not verify every echo"; exit 1; }

declare -A RT MEM CPU_RT
for c in "${CLIENTS[@]}"; do
  RT[$c]="$(awk '{print $1}' "$WORK/$c.results" | median)"
  MEM[$c]="$(awk '{print $2}' "$WORK/$c.results" | median)"
  CPU_RT[$c]="$(awk '{print $3}' "$WORK/$c.results" | median)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
runs_of() { awk -v col="$2" -v div="${3:-1}" -v fmt="${4:-%.0f}" '{printf "%s" fmt, (NR > 1 ? " / " : ""), $col / div}' "$WORK/$1.results"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

printf '| %-40s | %13s | %13s | %13s | %-27s | %-18s |\n' client "round trips/s" "peak RSS MiB" "CPU us / rt" "rt/s of each run" "MiB of each run"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------------------------------ --------------: --------------: --------------: ----------------------------- --------------------
for c in "${CLIENTS[@]}"; do
  printf '| %-40s | %13.0f | %13s | %13.1f | %-27s | %-18s |\n' "${LABEL[$c]}" "${RT[$c]}" "$(mib "${MEM[$c]}")" \
    "${CPU_RT[$c]}" "$(runs_of "$c" 1)" "$(runs_of "$c" 2 1024 %.1f)"
done
printf '| %-40s | %13s | %13s | %13s | %-27s | %-18s |\n' "Sigil / Python" "$(ratio "${RT[sigil]}" "${RT[python]}")" \
  "$(ratio "${MEM[sigil]}" "${MEM[python]}")" "$(ratio "${CPU_RT[sigil]}" "${CPU_RT[python]}")" "" ""
echo
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo "target:   Sigil round trips/s >= 2x Python's: $(awk -v a="${RT[sigil]}" -v b="${RT[python]}" 'BEGIN {print (a >= 2 * b) ? "met" : "MISSED"}') ($(ratio "${RT[sigil]}" "${RT[python]}"))"
echo "target:   Sigil peak RSS <= 0.5x Python's:    $(awk -v a="${MEM[sigil]}" -v b="${MEM[python]}" 'BEGIN {print (2 * a <= b) ? "met" : "MISSED"}') ($(ratio "${MEM[sigil]}" "${MEM[python]}"))"
