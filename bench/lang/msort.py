# msort: destructive list surgery. ROUNDS times: build a list of 20000
# pseudo-random integers (a linear congruential generator), sort it with an
# in-place merge sort that relinks the cells, reverse it in place, and fold a
# checksum over it. A cell is a Scheme-style pair: a two-element Python list
# [car, cdr], with None for the empty list.
# Prints: the checksum of the last round, and the sum of all rounds' checksums
# Expected: 165382878 51275735442
import sys

sys.setrecursionlimit(100000)


def random_list(n, seed):
    s = seed
    acc = None
    for _ in range(n):
        s = (s * 1103515245 + 12345) % 2147483648
        acc = [s // 65536, acc]
    return acc


def merge(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if b[0] < a[0]:
        merge_into(b, a, b[1])
        return b
    merge_into(a, a[1], b)
    return a


def merge_into(last, a, b):
    # An iterative loop: CPython has no tail calls, and the Scheme version's
    # tail recursion is a loop.
    while True:
        if a is None:
            last[1] = b
            return
        if b is None:
            last[1] = a
            return
        if b[0] < a[0]:
            last[1] = b
            last, b = b, b[1]
        else:
            last[1] = a
            last, a = a, a[1]


def sort(lst, n, rest):
    if n == 1:
        nxt = lst[1]
        lst[1] = None
        rest[0] = nxt
        return lst
    h = n // 2
    a = sort(lst, h, rest)
    b = sort(rest[0], n - h, rest)
    return merge(a, b)


def reverse_in_place(lst):
    prev = None
    l = lst
    while l is not None:
        nxt = l[1]
        l[1] = prev
        prev = l
        l = nxt
    return prev


def checksum(lst):
    acc = 0
    i = 1
    l = lst
    while l is not None:
        acc = (acc + i * l[0]) % 1000000007
        i += 1
        l = l[1]
    return acc


def run(rounds, n):
    last = 0
    total = 0
    for r in range(rounds):
        l = random_list(n, r + 1)
        c = checksum(reverse_in_place(sort(l, n, [None, None])))
        last = c
        total += c
    print(last, total)


run(100, 20000)
