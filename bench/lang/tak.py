# tak: Takeuchi function tak(18, 12, 6) computed 500 times.  Expected output: 7
def tak(x, y, z):
    if not (y < x):
        return z
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))


def run(n):
    r = 0
    for _ in range(n):
        r = tak(18, 12, 6)
    return r


print(run(500))
