# vector: fill a 10000000-element list with i, then sum it with explicit loops.
# Expected output: 49999995000000
def run(n):
    v = [0] * n
    for i in range(n):
        v[i] = i
    acc = 0
    for i in range(n):
        acc += v[i]
    return acc


print(run(10000000))
