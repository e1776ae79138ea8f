"""Writes D lists (default 3) of L lines each (default 1 000), one `(item I "x")` per line:
data that span many lines, for `read` from standard input (read_stdin.sgl)."""
import sys

lists = int(sys.argv[1]) if len(sys.argv) > 1 else 3
lines = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
for _ in range(lists):
    print("(")
    for i in range(lines):
        print(f'  (item {i} "x")')
    print(")")
