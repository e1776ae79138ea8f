# assoc-hash: 1000000 lookups in a 10-entry association list (a list of
# pairs searched linearly, like assv) summing the values, plus 1000000
# dict increments (dict.get) on keys i % 1000.
# Prints: <alist sum> <table size> <count for key 7>
# Expected: 3900000 1000 1000
ALIST = [(0, 3), (1, 1), (2, 4), (3, 1), (4, 5),
         (5, 9), (6, 2), (7, 6), (8, 5), (9, 3)]


def assv(key, alist):
    for pair in alist:
        if pair[0] == key:
            return pair
    return None


def alist_sum(n):
    acc = 0
    for i in range(n):
        acc += assv(i % 10, ALIST)[1]
    return acc


def count_keys(n):
    t = {}
    for i in range(n):
        k = i % 1000
        t[k] = t.get(k, 0) + 1
    return t


t = count_keys(1000000)
print(alist_sum(1000000), len(t), t.get(7, 0))
