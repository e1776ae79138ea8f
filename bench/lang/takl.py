# takl: Takeuchi's function on lists (Gabriel's TAKL): numbers are lists and
# `x < y` is "list x is shorter than list y". Lists are Scheme-style cons cells,
# (car, cdr) tuples ending in None; (mas (listn 18) (listn 12) (listn 6))
# computed ROUNDS times.
# Prints: the length of the last result
# Expected: 7
import sys

sys.setrecursionlimit(10000)


def listn(n):
    return None if n == 0 else (n, listn(n - 1))


def shorter(x, y):
    return y is not None and (x is None or shorter(x[1], y[1]))


def mas(x, y, z):
    if not shorter(y, x):
        return z
    return mas(mas(x[1], y, z), mas(y[1], z, x), mas(z[1], x, y))


def length(l):
    n = 0
    while l is not None:
        n += 1
        l = l[1]
    return n


def run(rounds):
    l18, l12, l6 = listn(18), listn(12), listn(6)
    r = None
    for _ in range(rounds):
        r = mas(l18, l12, l6)
    return length(r)


print(run(200))
