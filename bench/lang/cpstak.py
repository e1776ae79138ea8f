# cpstak: Takeuchi's function in continuation-passing style (Gabriel's
# CPSTAK): every intermediate result goes to a freshly made closure;
# (cpstak 18 12 6) computed ROUNDS times. CPython has no tail calls, so every
# tail call returns a thunk that a trampoline loop runs (without it the calls
# would nest as deep as the computation is long).
# Prints: the last result
# Expected: 7


def cpstak(x, y, z):
    def tak(x, y, z, k):
        if not y < x:
            return lambda: k(z)
        return lambda: tak(x - 1, y, z,
                           lambda v1: tak(y - 1, z, x,
                                          lambda v2: tak(z - 1, x, y,
                                                         lambda v3: tak(v1, v2, v3, k))))
    r = tak(x, y, z, lambda a: a)
    while callable(r):
        r = r()
    return r


def run(rounds):
    r = 0
    for _ in range(rounds):
        r = cpstak(18, 12, 6)
    return r


print(run(150))
