# queens: graph enumeration by backtracking. Counts every placement of N
# queens on an N x N board (N = 13): a depth-first search that marks the
# occupied columns and diagonals in three lists of booleans, plus the number
# of search-tree nodes visited.
# Prints: solutions and nodes
# Expected: 73712 4674890


def queens(n):
    cols = [False] * n
    diag1 = [False] * (2 * n)
    diag2 = [False] * (2 * n)

    def place(row):
        if row == n:
            return 1, 1
        solutions = 0
        nodes = 1
        for col in range(n):
            d1 = row + col
            d2 = row - col + n
            if cols[col] or diag1[d1] or diag2[d2]:
                continue
            cols[col] = diag1[d1] = diag2[d2] = True
            s, k = place(row + 1)
            cols[col] = diag1[d1] = diag2[d2] = False
            solutions += s
            nodes += k
        return solutions, nodes

    return place(0)


s, k = queens(13)
print(s, k)
