#!/usr/bin/env bash
# Language benchmarks: Sigil vs CPython vs Guile (compiled code).
#
# Usage: bash bench/run.sh [-n RUNS] [--cpu] [BENCH...]
#   -n RUNS   runs per implementation and benchmark (default 3); the median is reported
#   --cpu     report user+sys CPU seconds (GNU /usr/bin/time) instead of wall time;
#             steadier when other jobs compete for the CPUs (start-up stays wall time)
#   BENCH     only these benchmarks (default: fib tak strings vector assoc-hash)
#
# Environment:
#   SIGIL             use this sigil binary instead of building one
#   CARGO_TARGET_DIR  honoured by the release build (binary: $CARGO_TARGET_DIR/release/sigil)
#   STARTUP_RUNS      runs for the `sigil -e 1` startup measurement (default 20)
#
# Every program prints its result; the runner checks that Sigil, CPython and Guile
# print the same thing (and the expected value) and exits 1 if they do not.
# Times are whole-process wall-clock times (start-up included).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LANG_DIR="$ROOT/bench/lang"
RUNS=3
CPU_MODE=0
STARTUP_RUNS="${STARTUP_RUNS:-20}"
ALL_BENCHES=(fib tak strings vector assoc-hash)

declare -A EXPECTED=(
  [fib]="832040"
  [tak]="7"
  [strings]="2438890 630037397"
  [vector]="49999995000000"
  [assoc-hash]="3900000 1000 1000"
)

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

BENCHES=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n needs a positive integer" >&2; exit 2; }
        RUNS="$2"; shift 2 ;;
    --cpu) CPU_MODE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -n "${EXPECTED[$1]+x}" ]] || { echo "run.sh: unknown benchmark $1 (have: ${ALL_BENCHES[*]})" >&2; exit 2; }
       BENCHES+=("$1"); shift ;;
  esac
done
[[ ${#BENCHES[@]} -gt 0 ]] || BENCHES=("${ALL_BENCHES[@]}")
if [[ $CPU_MODE == 1 ]] && ! /usr/bin/time -f %U true 2>/dev/null; then
  echo "run.sh: --cpu needs GNU time at /usr/bin/time (Debian package: time)" >&2; exit 2
fi

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ---------------------------------------------------------------- tools
if [[ -z "${SIGIL:-}" ]]; then
  log "building sigil (release)..."
  (cd "$ROOT" && cargo build --release -p sigil --quiet)
  SIGIL="${CARGO_TARGET_DIR:-$ROOT/target}/release/sigil"
fi
[[ -x "$SIGIL" ]] || { log "sigil binary not found at $SIGIL"; exit 1; }

command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
# Resolve the real interpreter (a pyenv/asdf shim would add a shell script's start-up).
PYTHON="$(python3 -c 'import sys; print(sys.executable)')"

find_guile() { command -v guile-3.0 || command -v guile || true; }
GUILE="$(find_guile)"
if [[ -z "$GUILE" ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "guile not found; installing guile-3.0..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq guile-3.0 >/dev/null
    GUILE="$(find_guile)"
  fi
  [[ -n "$GUILE" ]] || { log "guile is required (Debian: apt-get install guile-3.0)"; exit 1; }
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Guile: compile ahead of time into a private auto-compile cache, so the timed
# runs load the compiled .go files (Guile's compiled code, not its interpreter).
export XDG_CACHE_HOME="$WORK/cache"
log "compiling Guile programs..."
for b in "${BENCHES[@]}"; do
  "$GUILE" --auto-compile "$LANG_DIR/$b.scm" >/dev/null 2>"$WORK/guile-compile.err" || {
    cat "$WORK/guile-compile.err" >&2; log "guile failed on $b.scm"; exit 1; }
  # A warm run must not compile again.
  "$GUILE" --auto-compile "$LANG_DIR/$b.scm" >/dev/null 2>"$WORK/guile-warm.err"
  if grep -q "compiling" "$WORK/guile-warm.err"; then
    log "warning: guile recompiled $b.scm on the warm run"
  fi
done

# ---------------------------------------------------------------- timing
# run_once OUTFILE CMD... -> prints elapsed wall nanoseconds; fails if CMD fails.
# The clock is bash's EPOCHREALTIME (microseconds), read without starting a process:
# `$(date +%s%N)` would add a fork and exec of `date` (≈2-4 ms here) to every time.
run_once() {
  local out="$1"; shift
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; return 1; }
  t1=${EPOCHREALTIME/./}
  echo $(((10#$t1 - 10#$t0) * 1000))
}

# run_cpu OUTFILE CMD... -> prints user+sys CPU nanoseconds (10 ms resolution)
run_cpu() {
  local out="$1"; shift
  /usr/bin/time -f '%U %S' -o "$out.time" "$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; return 1; }
  awk '{printf "%d\n", ($1 + $2) * 1e9}' "$out.time"
}


# measure NAME CMD... -> sets MED_NS and OUT (output of the first run); every run's
# output must be identical
measure() {
  local name="$1"; shift
  local times=() i ns
  for ((i = 0; i < RUNS; i++)); do
    if ! ns=$($RUNNER "$WORK/out.$i" "$@"); then
      log "$name failed"; return 1
    fi
    times+=("$ns")
    if ! cmp -s "$WORK/out.0" "$WORK/out.$i"; then
      log "$name printed different output on run $i"; return 1
    fi
  done
  MED_NS=$(printf '%s\n' "${times[@]}" | median)
  OUT="$(cat "$WORK/out.0")"
}

secs() { awk -v ns="$1" 'BEGIN {printf "%.3f", ns / 1e9}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# ---------------------------------------------------------------- machine
print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "sigil:    $SIGIL ($("$SIGIL" --version 2>/dev/null || echo '?'))"
echo "cpython:  $("$PYTHON" --version 2>&1)"
echo "guile:    $("$GUILE" --version | head -1)"
if [[ $CPU_MODE == 1 ]]; then
  echo "runs:     $RUNS per implementation (median user+sys CPU time, whole process)"
else
  echo "runs:     $RUNS per implementation (median wall time, whole process)"
fi
echo

# ---------------------------------------------------------------- benchmarks
FAIL=0
if [[ $CPU_MODE == 1 ]]; then RUNNER=run_cpu; UNIT="CPU s"; else RUNNER=run_once; UNIT="s"; fi
printf '| %-10s | %13s | %13s | %13s | %13s | %11s |\n' benchmark "Sigil $UNIT" "CPython $UNIT" "Guile $UNIT" "Sigil/CPython" "Sigil/Guile"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------ --------------: --------------: --------------: --------------: ------------:
for b in "${BENCHES[@]}"; do
  ok=1
  measure "sigil $b" "$SIGIL" "$LANG_DIR/$b.sgl" || { FAIL=1; continue; }
  s_ns=$MED_NS; s_out=$OUT
  measure "cpython $b" "$PYTHON" "$LANG_DIR/$b.py" || { FAIL=1; continue; }
  p_ns=$MED_NS; p_out=$OUT
  measure "guile $b" "$GUILE" "$LANG_DIR/$b.scm" || { FAIL=1; continue; }
  g_ns=$MED_NS; g_out=$OUT
  want="${EXPECTED[$b]}"
  for impl in sigil:"$s_out" cpython:"$p_out" guile:"$g_out"; do
    if [[ "${impl#*:}" != "$want" ]]; then
      log "$b: ${impl%%:*} printed '${impl#*:}', expected '$want'"; ok=0
    fi
  done
  [[ $ok == 1 ]] || FAIL=1
  printf '| %-10s | %13s | %13s | %13s | %13s | %11s |%s\n' "$b" "$(secs "$s_ns")" "$(secs "$p_ns")" "$(secs "$g_ns")" \
    "$(ratio "$s_ns" "$p_ns")x" "$(ratio "$s_ns" "$g_ns")x" "$([[ $ok == 1 ]] || echo '  OUTPUT MISMATCH')"
done
echo

# ---------------------------------------------------------------- start-up
# `sigil -e 1` if the binary has -e, otherwise an empty script.
if [[ "$("$SIGIL" -e 1 2>/dev/null || true)" == "1" ]]; then
  STARTUP_CMD=("$SIGIL" -e 1); STARTUP_DESC="sigil -e 1"
else
  : >"$WORK/empty.sgl"
  STARTUP_CMD=("$SIGIL" "$WORK/empty.sgl"); STARTUP_DESC="sigil empty.sgl (no -e)"
fi
startup_ms() {
  local times=() i ns
  for ((i = 0; i < STARTUP_RUNS; i++)); do
    ns=$(run_once "$WORK/startup.out" "$@") || return 1
    times+=("$ns")
  done
  printf '%s\n' "${times[@]}" | median | awk '{printf "%.1f", $1 / 1e6}'
}
echo "start-up (median of $STARTUP_RUNS runs):"
echo "  $STARTUP_DESC: $(startup_ms "${STARTUP_CMD[@]}") ms"
echo "  python3 -c 1: $(startup_ms "$PYTHON" -c 1) ms"
echo "  guile -c 1:   $(startup_ms "$GUILE" -c 1) ms"

if [[ $FAIL != 0 ]]; then
  log "FAILED: outputs differ or a program failed"
  exit 1
fi
