#!/usr/bin/env bash
# Counts the indirect jumps in the interpreter's dispatch function (Vm::run) of a sigil
# binary. With the code generation flags of .cargo/config.toml, LLVM ends each
# instruction's code with its own jump to the next one (about 220 jumps); without them
# every instruction goes back to one shared jump (about 40). See docs/performance.md,
# "One dispatch jump per instruction".
#
# Usage: bash bench/dispatch-jumps.sh [SIGIL_BINARY]   (default: target/release/sigil)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/target/release/sigil}"
objdump -d --no-show-raw-insn "$BIN" |
    awk '/<_ZN.*dispatch.*Vm.*3run.*>:$/ { inside = 1; next } inside && /^$/ { inside = 0 } inside' |
    grep -c 'jmp  *\*'
