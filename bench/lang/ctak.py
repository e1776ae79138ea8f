# ctak: Takeuchi's function where every call returns through an escape
# (Gabriel's CTAK). CPython has no first-class continuations; call/cc is
# modelled by its escaping use: call_cc(f) calls f with a procedure that raises
# an exception carrying the value, caught by that call_cc (tagged, so outer
# escapes pass through). (tak 18 12 6) computed ROUNDS times.
# Prints: the last result
# Expected: 7


class Escape(Exception):
    """Carries a value to the call_cc that made the continuation `tag`."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value


def call_cc(f):
    tag = object()

    def k(v):
        raise Escape(tag, v)
    try:
        return f(k)
    except Escape as e:
        if e.tag is tag:
            return e.value
        raise


def ctak(x, y, z):
    return call_cc(lambda k: ctak_aux(k, x, y, z))


def ctak_aux(k, x, y, z):
    if not y < x:
        return k(z)
    return call_cc(lambda k: ctak_aux(
        k,
        call_cc(lambda k: ctak_aux(k, x - 1, y, z)),
        call_cc(lambda k: ctak_aux(k, y - 1, z, x)),
        call_cc(lambda k: ctak_aux(k, z - 1, x, y))))


def run(rounds):
    r = 0
    for _ in range(rounds):
        r = ctak(18, 12, 6)
    return r


print(run(3))
