# deriv: symbolic differentiation (after Gabriel's DERIV) plus a small
# rule-based simplifier that matches patterns against the result. Each round
# differentiates four expressions in x, simplifies the derivatives, and counts
# their pairs (a Scheme list of k elements has k pairs). Expressions are
# Python lists, symbols are strings; pattern variables are ?a ?b ?c.
# Prints: the total pair count over all rounds, and the last simplified
# derivative of the first expression, written as Scheme writes it
# Expected: 2100000 (+ (* (* 3 x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* a x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* b x) (/ 1 x)) 0)


def deriv(a):
    if not isinstance(a, list):
        return 1 if a == 'x' else 0
    op = a[0]
    if op == '+':
        return ['+'] + [deriv(x) for x in a[1:]]
    if op == '-':
        return ['-'] + [deriv(x) for x in a[1:]]
    if op == '*':
        return ['*', a, ['+'] + [['/', deriv(x), x] for x in a[1:]]]
    if op == '/':
        return ['-', ['/', deriv(a[1]), a[2]], ['/', a[1], ['*', a[2], a[2], deriv(a[2])]]]
    raise ValueError('deriv: unknown operator ' + str(op))


VARIABLES = ('?a', '?b', '?c')


def match(p, e, bindings):
    """Extends the dict `bindings` so that pattern p matches e; False if it does not."""
    if isinstance(p, str) and p in VARIABLES:
        if p in bindings:
            return bindings[p] == e
        bindings[p] = e
        return True
    if isinstance(p, list):
        if not isinstance(e, list) or len(p) != len(e):
            return False
        for x, y in zip(p, e):
            if not match(x, y, bindings):
                return False
        return True
    return not isinstance(e, list) and type(p) is type(e) and p == e


def instantiate(t, bindings):
    if isinstance(t, str) and t in VARIABLES:
        return bindings[t]
    if isinstance(t, list):
        return [instantiate(x, bindings) for x in t]
    return t


RULES = [
    (['*', '?a', 0], 0), (['*', 0, '?a'], 0), (['/', 0, '?a'], 0),
    (['*', '?a', 1], '?a'), (['*', 1, '?a'], '?a'), (['/', '?a', 1], '?a'),
    (['+', '?a', 0], '?a'), (['+', 0, '?a'], '?a'), (['-', '?a', 0], '?a'),
    (['+', '?a'], '?a'), (['*', '?a'], '?a'),
]


def rewrite(e):
    for pattern, template in RULES:
        b = {}
        if match(pattern, e, b):
            return instantiate(template, b)
    return e


def simplify(e):
    if isinstance(e, list):
        return rewrite([simplify(x) for x in e])
    return e


def count_pairs(x):
    if isinstance(x, list):
        return len(x) + sum(count_pairs(y) for y in x)
    return 0


def write(x):
    if isinstance(x, list):
        return '(' + ' '.join(write(y) for y in x) + ')'
    return str(x)


EXPRS = [
    ['+', ['*', 3, 'x', 'x'], ['*', 'a', 'x', 'x'], ['*', 'b', 'x'], 5],
    ['*', ['+', 'x', 1], ['-', 'x', 2], ['/', 'x', 3]],
    ['/', ['+', ['*', 'x', 'x'], 1], ['-', ['*', 2, 'x'], 1]],
    ['-', ['*', 'x', ['*', 'x', 'x']], ['/', 1, 'x'], 'x'],
]


def run(rounds):
    total = 0
    last = None
    for _ in range(rounds):
        first = None
        for e in EXPRS:
            d = simplify(deriv(e))
            total += count_pairs(d)
            if first is None:
                first = d
        last = first
    print(total, write(last))


run(10000)
