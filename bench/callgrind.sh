#!/usr/bin/env bash
# Deterministic instruction counts for the language benchmarks: runs Sigil under
# `valgrind --tool=callgrind` on reduced copies of bench/lang/*.sgl (the same programs
# with smaller inputs, so a run takes seconds under valgrind) and prints, per program,
# the total instructions of the whole process (start-up included) and the functions
# with the most instructions of their own (inlined code counts for the function it
# was inlined into).
#
# Usage: bash bench/callgrind.sh [-k DIR] [--top N] [BENCH...]
#   -k DIR    keep the reduced programs and callgrind outputs in DIR (for
#             callgrind_annotate); default: a temporary directory, removed afterwards
#   --top N   functions listed per program (default 8)
#   BENCH     only these benchmarks (default: all of bench/run.sh's programs)
#
# Environment: SIGIL and CARGO_TARGET_DIR as for bench/run.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LANG_DIR="$ROOT/bench/lang"
KEEP=""
TOP=8

# The reduced input of each program: a sed substitution of its final call.
declare -A SMALL=(
  [mandel]='s/(mandel 400 1000)/(mandel 200 100)/'
  [nbody]='s/(run 100000)/(run 5000)/'
  [fft]='s/(run 4096 40)/(run 4096 2)/'
  [takl]='s/(run 200)/(run 10)/'
  [msort]='s/(run 100 20000)/(run 5 20000)/'
  [deriv]='s/(run 10000)/(run 500)/'
  [vector]='s/(run 10000000)/(run 500000)/'
  [matrix]='s/(run 50 80)/(run 3 80)/'
  [life]='s/(run 64 600)/(run 64 40)/'
  [queens]='s/(queens 13)/(queens 10)/'
  [assoc-hash]='s/1000000/50000/g'
  [dict]='s/(run 20000)/(run 1000)/'
  [records]='s/^(run 10)$/(run 1)/'
  [closures]='s/(run 8000 500)/(run 400 500)/'
  [cpstak]='s/(run 150)/(run 8)/'
  [ctak]='s/(run 3)/(run 1)/'
  [fringe]='s/(run 50 600)/(run 10 600)/'
  [fib]='s/(fib 30)/(fib 25)/'
  [tak]='s/(display (run 500))/(display (run 25))/'
  [ack]='s/(run 10)/(run 1)/'
  [strings]='s/(run 200000)/(run 20000)/'
  [textio]='s/(run 100)/(run 5)/'
)
# shellcheck source=lang/benchmarks.sh
source "$LANG_DIR/benchmarks.sh"
for b in "${ALL_BENCHES[@]}"; do
  [[ -n "${SMALL[$b]+x}" ]] || { echo "callgrind.sh: no reduced input for $b in SMALL" >&2; exit 1; }
done

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

BENCHES=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -k) [[ $# -ge 2 ]] || { echo "callgrind.sh: -k needs a directory" >&2; exit 2; }
        KEEP="$2"; shift 2 ;;
    --top) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "callgrind.sh: --top needs a positive integer" >&2; exit 2; }
           TOP="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "callgrind.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -n "${SMALL[$1]+x}" ]] || { echo "callgrind.sh: unknown benchmark $1 (have: ${ALL_BENCHES[*]})" >&2; exit 2; }
       BENCHES+=("$1"); shift ;;
  esac
done
[[ ${#BENCHES[@]} -gt 0 ]] || BENCHES=("${ALL_BENCHES[@]}")

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "callgrind.sh: python3 is required" >&2; exit 1; }
if [[ -z "${SIGIL:-}" ]]; then
  (cd "$ROOT" && cargo build --release -p sigil --quiet)
  SIGIL="${CARGO_TARGET_DIR:-$ROOT/target}/release/sigil"
fi

if [[ -n "$KEEP" ]]; then
  mkdir -p "$KEEP"; DIR="$KEEP"
else
  DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
fi

for b in "${BENCHES[@]}"; do
  sed "${SMALL[$b]}" "$LANG_DIR/$b.sgl" >"$DIR/$b.sgl"
  if cmp -s "$LANG_DIR/$b.sgl" "$DIR/$b.sgl"; then
    echo "callgrind.sh: the reduction of $b did not apply; update SMALL[$b]" >&2; exit 1
  fi
  valgrind --tool=callgrind --callgrind-out-file="$DIR/$b.callgrind" "$SIGIL" "$DIR/$b.sgl" \
    >"$DIR/$b.out" 2>"$DIR/$b.valgrind" || { cat "$DIR/$b.valgrind" >&2; exit 1; }
  callgrind_annotate --auto=no --threshold=99.9 "$DIR/$b.callgrind" >"$DIR/$b.functions" 2>/dev/null
  # Sums callgrind_annotate's "file:function" lines by function: with inlining, one
  # function's instructions are split over the files its inlined code came from.
  python3 - "$b" "$DIR/$b.functions" "$TOP" <<'EOF'
import re, sys
from collections import defaultdict
name, path, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
total, by = 0, defaultdict(int)
for line in open(path):
    m = re.match(r'\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$', line)
    if not m:
        continue
    n, rest = int(m.group(1).replace(',', '')), re.sub(r' \[[^\]]*\]$', '', m.group(2))
    if 'PROGRAM TOTALS' in rest:
        total = n
    else:
        by[rest.split(':', 1)[-1]] += n
print(f"{name}: {total / 1e6:.1f} M instructions")
for f, n in sorted(by.items(), key=lambda x: -x[1])[:top]:
    print(f"  {100 * n / total:5.1f}%  {f}")
EOF
done
