"""Writes N numbers (default 1 000 000) to standard output, ten per line: alternately an
exact integer and a flonum with up to 17 significant digits, from a fixed seed."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(11)
line = []
for i in range(n):
    line.append(str(rng.randrange(-10**9, 10**9)) if i % 2 == 0 else repr(rng.uniform(-1e6, 1e6)))
    if len(line) == 10:
        print(" ".join(line))
        line = []
if line:
    print(" ".join(line))
