# matrix: 2-D arrays as lists of row lists. ROUNDS times: multiply two 80 x 80
# integer matrices (a triple loop indexing rows), transpose the product into a
# fresh matrix, and fold a checksum over it.
# Prints: the checksum of the last product, and the sum over all rounds
# Expected: 797993062 22690953211


def make_matrix(n, m, init):
    return [[init(i, j) for j in range(m)] for i in range(n)]


def mat_mul(a, b, n):
    c = make_matrix(n, n, lambda i, j: 0)
    for i in range(n):
        ai = a[i]
        ci = c[i]
        for j in range(n):
            s = 0
            for k in range(n):
                s = s + ai[k] * b[k][j]
            ci[j] = s
    return c


def transpose(a, n):
    return make_matrix(n, n, lambda i, j: a[j][i])


def checksum(a, n):
    acc = 0
    for i in range(n):
        for j in range(n):
            acc = (acc * 31 + a[i][j]) % 1000000007
    return acc


def run(rounds, n):
    last = 0
    total = 0
    for r in range(rounds):
        a = make_matrix(n, n, lambda i, j: (i * 7 + j * 3 + r) % 10)
        b = make_matrix(n, n, lambda i, j: (i * j + r) % 9 - 4)
        s = checksum(transpose(mat_mul(a, b, n), n), n)
        last = s
        total += s
    print(last, total)


run(50, 80)
