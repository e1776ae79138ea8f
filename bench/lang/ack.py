# ack: the Ackermann function, deep non-tail integer recursion;
# ack(3, 9) computed ROUNDS times (the recursion is about 4 100 calls deep).
# Prints: the last result
# Expected: 4093
import sys

sys.setrecursionlimit(100000)


def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


def run(rounds):
    r = 0
    for _ in range(rounds):
        r = ack(3, 9)
    return r


print(run(10))
