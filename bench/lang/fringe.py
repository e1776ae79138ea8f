# fringe: generators used for the same-fringe problem. A generator walks a tree
# (Scheme-style pairs: (car, cdr) tuples, None for the empty list) recursively
# and yields each leaf; CPython's generators play the part of the Scheme
# version's call/cc generators. Each round compares the fringes of two trees of
# 600 leaves built in different shapes (a right comb and a balanced tree), and
# of the first tree against a third that differs in its last leaf.
# Prints: leaves compared over all rounds, and how many comparisons said "same"
# Expected: 59950 50
import sys

sys.setrecursionlimit(10000)


def walk(t):
    if t is None:
        return
    if isinstance(t, tuple):
        yield from walk(t[0])
        yield from walk(t[1])
    else:
        yield t


def generator(tree):
    it = walk(tree)
    return lambda: next(it, 'done')


def same_fringe(a, b):
    ga = generator(a)
    gb = generator(b)
    n = 0
    while True:
        x = ga()
        y = gb()
        if x != y:
            return n, False
        if x == 'done':
            return n, True
        n += 1


def comb(lo, hi):
    return None if lo > hi else (lo, comb(lo + 1, hi))


def balanced(lo, hi):
    if lo > hi:
        return None
    if lo == hi:
        return lo
    mid = (lo + hi) // 2
    return (balanced(lo, mid), balanced(mid + 1, hi))


def run(rounds, n):
    a = comb(1, n)
    b = balanced(1, n)
    c = balanced(1, n - 1)
    leaves = 0
    same = 0
    for _ in range(rounds):
        n1, s1 = same_fringe(a, b)
        n2, s2 = same_fringe(a, c)
        leaves += n1 + n2
        same += (1 if s1 else 0) + (1 if s2 else 0)
    print(leaves, same)


run(50, 600)
