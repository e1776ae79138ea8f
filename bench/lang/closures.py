# closures: higher-order calls. Each round builds closures (an adder, a
# composition, a counter with nonlocal state), maps them over a 500-element
# list with map, filters with a lambda predicate, and folds with
# functools.reduce and a lambda.
# Prints: the sum over all rounds, and the counter's final value
# Expected: 5999998 2000000
from functools import reduce


def make_adder(n):
    return lambda x: x + n


def compose(f, g):
    return lambda x: f(g(x))


def make_counter():
    n = 0

    def count(by):
        nonlocal n
        n = n + by
        return n
    return count


def run(rounds, n):
    xs = list(range(n))
    counter = make_counter()
    total = 0
    for r in range(rounds):
        f = compose(make_adder(r), lambda x: x * 3)
        ys = list(map(f, xs))
        odd = list(filter(lambda y: y % 2 == 1, ys))
        s = reduce(lambda acc, y: acc + y % 7, odd, 0)
        counter(len(odd))
        total += s
    print(total, counter(0))


run(8000, 500)
