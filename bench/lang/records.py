# records: a binary search tree whose nodes are objects of a class with
# __slots__ (Python's nearest to a record type). Each round inserts 20 000
# pseudo-random keys (a linear congruential generator), adding 1 to a node's
# count when its key is already there, then looks every key up again and sums
# the counts, and measures the tree's height.
# Prints: the sum of the lookups' counts over all rounds, and the last tree's
# number of nodes and height
# Expected: 203930 19792 34
import sys

sys.setrecursionlimit(10000)


class Node:
    __slots__ = ('key', 'count', 'left', 'right')

    def __init__(self, key, count, left, right):
        self.key = key
        self.count = count
        self.left = left
        self.right = right


def insert(tree, key):
    if not isinstance(tree, Node):
        return Node(key, 1, None, None)
    n = tree
    while True:
        if key == n.key:
            n.count += 1
            return tree
        if key < n.key:
            if isinstance(n.left, Node):
                n = n.left
            else:
                n.left = Node(key, 1, None, None)
                return tree
        else:
            if isinstance(n.right, Node):
                n = n.right
            else:
                n.right = Node(key, 1, None, None)
                return tree


def lookup(tree, key):
    n = tree
    while isinstance(n, Node):
        if key == n.key:
            return n.count
        n = n.left if key < n.key else n.right
    return 0


def size(n):
    return 1 + size(n.left) + size(n.right) if isinstance(n, Node) else 0


def height(n):
    return 1 + max(height(n.left), height(n.right)) if isinstance(n, Node) else 0


def next_key(x):
    return (x * 1103515245 + 12345) % 2147483648


def one_round(seed):
    tree, x = None, seed
    for _ in range(20000):
        tree = insert(tree, x % 1000000)
        x = next_key(x)
    total, x = 0, seed
    for _ in range(20000):
        total += lookup(tree, x % 1000000)
        x = next_key(x)
    return total, tree


def run(rounds):
    total, last = 0, None
    for r in range(rounds):
        t, last = one_round(r + 1)
        total += t
    print(total, size(last), height(last))


run(10)
