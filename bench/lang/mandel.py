# mandel: escape-time Mandelbrot over an N x N grid of the square
# [-2, 1] x [-1.5, 1.5], at most LIMIT iterations per point (N = 400,
# LIMIT = 1000); the inner loop uses only + - * > on floats (and an integer
# counter).
# Prints: the total number of iterations over the grid
# Expected: 27654979


def mandel(n, limit):
    step = 3.0 / 400.0
    total = 0
    for y in range(n):
        ci = float(y) * step - 1.5
        for x in range(n):
            cr = float(x) * step - 2.0
            zr = 0.0
            zi = 0.0
            i = 0
            while i != limit:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zr, zi = (zr2 - zi2) + cr, 2.0 * (zr * zi) + ci
                i += 1
            total += i
    return total


print(mandel(400, 1000))
