#!/usr/bin/env bash
# Reading numbers with `read` from a file port: Sigil against Guile.
#
# Usage: bash bench/read/run.sh [-n RUNS] [COUNT]
#
# Writes COUNT numbers (default 1 000 000; make_numbers.py, fixed seed) to a scratch file,
# then runs read_numbers.sgl under `sigil` and under `guile` (the same Scheme code,
# compiled ahead of time into a private cache) RUNS times each (default 5), alternating,
# checks that both print the same result, and reports the median user+sys CPU time and
# wall time of each whole process. Set SIGIL=/path/to/sigil to skip the release build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/bench/common.sh"

RUNS=5
COUNT=1000000
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) RUNS="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) COUNT="$1"; shift ;;
  esac
done

if [[ -z "${SIGIL:-}" ]]; then
  log "building sigil (release)..."
  (cd "$ROOT" && cargo build --release -p sigil --quiet)
  SIGIL="${CARGO_TARGET_DIR:-$ROOT/target}/release/sigil"
fi
GUILE="$(command -v guile-3.0 || command -v guile || true)"
[[ -n "$GUILE" ]] || { log "guile is required (Debian: apt-get install guile-3.0)"; exit 1; }
/usr/bin/time -f %U true 2>/dev/null || { log "needs GNU time at /usr/bin/time"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME="$WORK/cache"
python3 "$HERE/make_numbers.py" "$COUNT" >"$WORK/numbers.txt"
cp "$HERE/read_numbers.sgl" "$WORK/read_numbers.scm"
"$GUILE" --auto-compile "$WORK/read_numbers.scm" "$WORK/numbers.txt" >/dev/null 2>&1

# run NAME CMD...: appends "cpu wall" seconds to $WORK/NAME.times, output to $WORK/NAME.out
run() {
  local name="$1" t0 t1; shift
  t0=${EPOCHREALTIME/./}
  /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >"$WORK/$name.out"
  t1=${EPOCHREALTIME/./}
  awk -v w="$(((10#$t1 - 10#$t0)))" '{printf "%.3f %.3f\n", $1 + $2, w / 1e6}' "$WORK/time" >>"$WORK/$name.times"
}

for ((i = 0; i < RUNS; i++)); do
  run sigil "$SIGIL" "$HERE/read_numbers.sgl" "$WORK/numbers.txt"
  run guile "$GUILE" "$WORK/read_numbers.scm" "$WORK/numbers.txt"
done
cmp -s "$WORK/sigil.out" "$WORK/guile.out" || {
  log "outputs differ: sigil $(cat "$WORK/sigil.out"), guile $(cat "$WORK/guile.out")"; exit 1; }

print_machine
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:    $COUNT numbers, $(wc -c <"$WORK/numbers.txt") bytes; result $(cat "$WORK/sigil.out")"
echo "runs:     $RUNS each, median of whole processes"
for name in sigil guile; do
  cpu=$(cut -d' ' -f1 "$WORK/$name.times" | median)
  wall=$(cut -d' ' -f2 "$WORK/$name.times" | median)
  printf '%-6s CPU %6.3f s   wall %6.3f s\n' "$name" "$cpu" "$wall"
done
