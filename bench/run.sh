#!/usr/bin/env bash
# Language benchmarks: Sigil vs CPython vs Guile 3.0 (compiled code) vs CHICKEN's
# interpreter (csi), side by side in one run.
#
# Usage: bash bench/run.sh [-n RUNS] [--cpu] [--no-chicken] [BENCH|GROUP...]
#   -n RUNS       runs per implementation and benchmark (default 3); the median is
#                 reported. The runs are interleaved (Sigil, CPython, Guile, csi, Sigil, ...)
#   --cpu         report user+sys CPU seconds instead of wall time; steadier when other
#                 jobs compete for the CPUs (start-up stays wall time)
#   --no-chicken  leave CHICKEN's csi out even when it is installed
#   BENCH         only these benchmarks; GROUP (float, list, vector, table, record, closure,
#                 callcc, fixnum, string) stands for its benchmarks. Default: all of them
#
# Environment:
#   SIGIL             use this sigil binary instead of building one
#   CARGO_TARGET_DIR  honoured by the release build (binary: $CARGO_TARGET_DIR/release/sigil)
#   STARTUP_RUNS      runs for the `sigil -e 1` startup measurement (default 20)
#
# Every program prints its result; the runner checks that every implementation prints
# the expected value and exits 1 if one does not. Times are whole processes (start-up
# included), run under GNU time (/usr/bin/time), which also reports each process's peak
# resident set size (%M); the table shows the median of the runs.
# CHICKEN runs the Guile .scm file behind bench/lang/chicken-prelude.scm (shims for the
# few Guile names the programs use); programs that need hash tables, which CHICKEN 5
# only has as an egg (srfi-69), are left out of its column.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LANG_DIR="$ROOT/bench/lang"
RUNS=3
CPU_MODE=0
USE_CHICKEN=1
STARTUP_RUNS="${STARTUP_RUNS:-20}"

# shellcheck source=lang/benchmarks.sh
source "$LANG_DIR/benchmarks.sh"

# Programs CHICKEN 5's csi cannot run without eggs (hash tables are the srfi-69 egg).
declare -A CHICKEN_SKIP=([assoc-hash]=1 [dict]=1)

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

BENCHES=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n needs a positive integer" >&2; exit 2; }
        RUNS="$2"; shift 2 ;;
    --cpu) CPU_MODE=1; shift ;;
    --no-chicken) USE_CHICKEN=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) if [[ -n "${BENCH_GROUPS[$1]+x}" ]]; then
         read -r -a members <<<"${BENCH_GROUPS[$1]}"; BENCHES+=("${members[@]}")
       elif [[ -n "${EXPECTED[$1]+x}" ]]; then
         BENCHES+=("$1")
       else
         echo "run.sh: unknown benchmark $1 (have: ${ALL_BENCHES[*]}; groups: ${GROUP_NAMES[*]})" >&2; exit 2
       fi
       shift ;;
  esac
done
[[ ${#BENCHES[@]} -gt 0 ]] || BENCHES=("${ALL_BENCHES[@]}")

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ---------------------------------------------------------------- tools
# apt_install PACKAGE: installs a Debian package when running as root with apt-get.
apt_install() {
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    log "installing $1..."
    { apt-get install -y -qq "$1" || { apt-get update -qq && apt-get install -y -qq "$1"; }; } \
      >/dev/null 2>&1 </dev/null || true
  fi
}

if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
  apt_install time
  /usr/bin/time -f %M true >/dev/null 2>&1 ||
    { log "GNU time is required at /usr/bin/time (Debian package: time)"; exit 1; }
fi

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
  apt_install guile-3.0
  GUILE="$(find_guile)"
  [[ -n "$GUILE" ]] || { log "guile is required (Debian: apt-get install guile-3.0)"; exit 1; }
fi

CSI=""
if [[ $USE_CHICKEN == 1 ]]; then
  command -v csi >/dev/null || apt_install chicken-bin
  CSI="$(command -v csi || true)"
  [[ -n "$CSI" ]] || log "CHICKEN's csi not found (Debian: chicken-bin); its column stays empty"
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

# CHICKEN: each program is the prelude followed by the Guile program, in one file.
if [[ -n "$CSI" ]]; then
  mkdir -p "$WORK/chicken"
  for b in "${BENCHES[@]}"; do
    cat "$LANG_DIR/chicken-prelude.scm" "$LANG_DIR/$b.scm" >"$WORK/chicken/$b.scm"
  done
fi

# ---------------------------------------------------------------- timing
# run_once OUTFILE CMD... -> prints "WALL_NS CPU_NS RSS_KB" for one run of CMD; fails if
# CMD fails. Wall time is bash's EPOCHREALTIME (microseconds, read without starting a
# process) around GNU time; CPU time (user+sys, 10 ms resolution) and peak RSS come from
# GNU time.
run_once() {
  local out="$1"; shift
  local t0 t1
  t0=${EPOCHREALTIME/./}
  /usr/bin/time -f '%U %S %M' -o "$out.time" "$@" >"$out" 2>"$out.err" ||
    { cat "$out.err" >&2; return 1; }
  t1=${EPOCHREALTIME/./}
  awk -v wall=$(((10#$t1 - 10#$t0) * 1000)) '{printf "%.0f %.0f %.0f\n", wall, ($1 + $2) * 1e9, $3}' "$out.time"
}

# The implementations measured: name, and the command prefix for a benchmark (the
# program's path is appended by `command_for`).
IMPLS=(sigil cpython guile)
[[ -n "$CSI" ]] && IMPLS+=(chicken)

# command_for IMPL BENCH -> sets CMD (an array); returns 1 if IMPL does not run BENCH.
command_for() {
  case "$1" in
    sigil) CMD=("$SIGIL" "$LANG_DIR/$2.sgl") ;;
    cpython) CMD=("$PYTHON" "$LANG_DIR/$2.py") ;;
    guile) CMD=("$GUILE" "$LANG_DIR/$2.scm") ;;
    chicken) [[ -z "${CHICKEN_SKIP[$2]+x}" ]] || return 1
             CMD=("$CSI" -s "$WORK/chicken/$2.scm") ;;
  esac
}

# measure BENCH -> for every implementation that runs BENCH, sets TIME[impl] (median
# nanoseconds of the chosen measure), RSS[impl] (median peak KB) and OUT[impl] (output of
# the first run); every run's output must be identical. Runs are interleaved so that a
# change in the machine's load affects every implementation alike.
declare -A TIME RSS OUT
measure() {
  local b="$1" i impl col
  TIME=(); RSS=(); OUT=()
  for impl in "${IMPLS[@]}"; do : >"$WORK/$impl.results"; done
  col=$((CPU_MODE == 1 ? 2 : 1))
  for ((i = 0; i < RUNS; i++)); do
    for impl in "${IMPLS[@]}"; do
      command_for "$impl" "$b" || continue
      run_once "$WORK/$impl.out.$i" "${CMD[@]}" >>"$WORK/$impl.results" ||
        { log "$impl $b failed"; return 1; }
      if ! cmp -s "$WORK/$impl.out.0" "$WORK/$impl.out.$i"; then
        log "$impl $b printed different output on run $i"; return 1
      fi
    done
  done
  for impl in "${IMPLS[@]}"; do
    [[ -s "$WORK/$impl.results" ]] || continue
    TIME[$impl]=$(awk -v c="$col" '{print $c}' "$WORK/$impl.results" | median)
    RSS[$impl]=$(awk '{print $3}' "$WORK/$impl.results" | median)
    OUT[$impl]="$(cat "$WORK/$impl.out.0")"
  done
}

secs() { awk -v ns="$1" 'BEGIN {printf "%.3f", ns / 1e9}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.0f", kb / 1024}'; }
# geomean: geometric mean of the numbers on standard input ("-" if there are none).
geomean() { awk '{s += log($1); n++} END {if (n) printf "%.2f", exp(s / n); else printf "-"}'; }

# ---------------------------------------------------------------- machine
print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime) (1/5/15-minute averages at the start)"
echo "sigil:    $SIGIL ($("$SIGIL" --version 2>/dev/null || echo '?'))"
echo "cpython:  $("$PYTHON" --version 2>&1)"
echo "guile:    $("$GUILE" --version | head -1) (compiled .go files)"
if [[ -n "$CSI" ]]; then
  echo "chicken:  $("$CSI" -version 2>&1 | grep -m1 -i version | sed 's/^ *//') (csi, the interpreter)"
fi
if [[ $CPU_MODE == 1 ]]; then
  echo "runs:     $RUNS per implementation, interleaved (median user+sys CPU time, whole process)"
else
  echo "runs:     $RUNS per implementation, interleaved (median wall time, whole process)"
fi
echo

# ---------------------------------------------------------------- benchmarks
FAIL=0
if [[ $CPU_MODE == 1 ]]; then UNIT="CPU s"; else UNIT="s"; fi
declare -A RATIOS_GUILE=() # group -> ratios, one per line
RATIOS_PY=""
RATIOS_CSI=""
printf '| %-10s | %-7s | %11s | %9s | %9s | %9s | %9s | %9s | %9s | %s |\n' benchmark group \
  "Sigil $UNIT" "CPython" "Guile" "csi" "S/CPython" "S/Guile" "S/csi" \
  "peak RSS MB: Sigil / CPython / Guile / csi"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------ --------- ------------: ----------: \
  ----------: ----------: ----------: ----------: ----------: ---
for b in "${BENCHES[@]}"; do
  measure "$b" || { FAIL=1; continue; }
  ok=1
  want="${EXPECTED[$b]}"
  for impl in "${!OUT[@]}"; do
    if [[ "${OUT[$impl]}" != "$want" ]]; then
      log "$b: $impl printed '${OUT[$impl]}', expected '$want'"; ok=0
    fi
  done
  [[ $ok == 1 ]] || FAIL=1
  s=${TIME[sigil]}
  col() { if [[ -n "${TIME[$1]+x}" ]]; then secs "${TIME[$1]}"; else echo "n/a"; fi; }
  rat() { if [[ -n "${TIME[$1]+x}" ]]; then echo "$(ratio "$s" "${TIME[$1]}")x"; else echo "n/a"; fi; }
  rss() { if [[ -n "${RSS[$1]+x}" ]]; then mb "${RSS[$1]}"; else echo "-"; fi; }
  g=${GROUP_OF[$b]}
  RATIOS_GUILE[$g]+="$(ratio "$s" "${TIME[guile]}")"$'\n'
  RATIOS_PY+="$(ratio "$s" "${TIME[cpython]}")"$'\n'
  [[ -z "${TIME[chicken]+x}" ]] || RATIOS_CSI+="$(ratio "$s" "${TIME[chicken]}")"$'\n'
  printf '| %-10s | %-7s | %11s | %9s | %9s | %9s | %9s | %9s | %9s | %s |%s\n' "$b" "$g" \
    "$(col sigil)" "$(col cpython)" "$(col guile)" "$(col chicken)" \
    "$(rat cpython)" "$(rat guile)" "$(rat chicken)" \
    "$(rss sigil) / $(rss cpython) / $(rss guile) / $(rss chicken)" \
    "$([[ $ok == 1 ]] || echo '  OUTPUT MISMATCH')"
done
echo

# ---------------------------------------------------------------- summary
all_guile=""
for g in "${GROUP_NAMES[@]}"; do all_guile+="${RATIOS_GUILE[$g]:-}"; done
echo "geometric mean of Sigil/Guile over ${#BENCHES[@]} programs: $(printf '%s' "$all_guile" | geomean)x"
echo "  by group:$(for g in "${GROUP_NAMES[@]}"; do
  [[ -n "${RATIOS_GUILE[$g]:-}" ]] && printf ' %s %sx,' "$g" "$(printf '%s' "${RATIOS_GUILE[$g]}" | geomean)"
done | sed 's/,$//')"
echo "geometric mean of Sigil/CPython: $(printf '%s' "$RATIOS_PY" | geomean)x"
[[ -z "$CSI" ]] || echo "geometric mean of Sigil/csi (programs csi runs): $(printf '%s' "$RATIOS_CSI" | geomean)x"
echo

# ---------------------------------------------------------------- start-up
# `sigil -e 1` if the binary has -e, otherwise an empty script.
if [[ "$("$SIGIL" -e 1 2>/dev/null || true)" == "1" ]]; then
  STARTUP_CMD=("$SIGIL" -e 1); STARTUP_DESC="sigil -e 1"
else
  : >"$WORK/empty.sgl"
  STARTUP_CMD=("$SIGIL" "$WORK/empty.sgl"); STARTUP_DESC="sigil empty.sgl (no -e)"
fi
# startup_ms CMD... -> median wall milliseconds of STARTUP_RUNS runs, without GNU time
# in between (its own start-up would be most of what is measured).
startup_ms() {
  local times=() i t0 t1
  for ((i = 0; i < STARTUP_RUNS; i++)); do
    t0=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>&1 || return 1
    t1=${EPOCHREALTIME/./}
    times+=($(((10#$t1 - 10#$t0) * 1000)))
  done
  printf '%s\n' "${times[@]}" | median | awk '{printf "%.1f", $1 / 1e6}'
}
echo "start-up (median of $STARTUP_RUNS runs):"
echo "  $STARTUP_DESC: $(startup_ms "${STARTUP_CMD[@]}") ms"
echo "  python3 -c 1: $(startup_ms "$PYTHON" -c 1) ms"
echo "  guile -c 1:   $(startup_ms "$GUILE" -c 1) ms"
[[ -z "$CSI" ]] || echo "  csi -e 1:     $(startup_ms "$CSI" -e 1) ms"

if [[ $FAIL != 0 ]]; then
  log "FAILED: outputs differ or a program failed"
  exit 1
fi
