# life: Conway's game of life on a 64 x 64 torus held as a list of row lists of
# 0/1 integers; GENERATIONS steps from a pseudo-random start (a linear
# congruential generator), each step computing a fresh grid from the eight
# neighbours of every cell (indexes wrap with %).
# Prints: the live cells at the end, and the sum of live cells over all steps
# Expected: 131 188156


def make_grid(n):
    return [[0] * n for _ in range(n)]


def random_grid(n, seed):
    g = make_grid(n)
    s = seed
    for i in range(n * n):
        s = (s * 1103515245 + 12345) % 2147483648
        if s // 65536 < 10000:
            g[i // n][i % n] = 1
    return g


def cell(g, n, i, j):
    return g[i % n][j % n]


def neighbours(g, n, i, j):
    return (cell(g, n, i - 1, j - 1) + cell(g, n, i - 1, j) + cell(g, n, i - 1, j + 1)
            + cell(g, n, i, j - 1) + cell(g, n, i, j + 1)
            + cell(g, n, i + 1, j - 1) + cell(g, n, i + 1, j) + cell(g, n, i + 1, j + 1))


def step(g, n):
    new = make_grid(n)
    for i in range(n):
        row = g[i]
        new_row = new[i]
        for j in range(n):
            k = neighbours(g, n, i, j)
            if k == 3 or (k == 2 and row[j] == 1):
                new_row[j] = 1
    return new


def population(g, n):
    return sum(sum(row) for row in g)


def run(n, generations):
    g = random_grid(n, 42)
    total = 0
    for _ in range(generations):
        g = step(g, n)
        total += population(g, n)
    print(population(g, n), total)


run(64, 600)
