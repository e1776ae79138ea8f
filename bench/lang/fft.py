# fft: in-place iterative radix-2 FFT of 4096 complex points held in two lists
# of floats (real and imaginary parts), then the inverse transform (by
# conjugation), ROUNDS times. The twiddle factors are computed once with
# sin/cos; the butterflies use only + - * on floats read from the lists.
# Prints: floor(1e12 * sum of |x_i - original_i|) after all rounds (the
# accumulated round-off error), and floor(1000 * re[5]) of the last forward
# transform
# Expected: 156 7002
import math

PI = 3.141592653589793


def bit_reverse(re, im, n):
    j = 0
    for i in range(n):
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
        m = n // 2
        while m >= 1 and j >= m:
            j -= m
            m //= 2
        j += m


def twiddles(n):
    wr = [0.0] * (n // 2)
    wi = [0.0] * (n // 2)
    for k in range(n // 2):
        a = (-2.0 * (PI * float(k))) / float(n)
        wr[k] = math.cos(a)
        wi[k] = math.sin(a)
    return wr, wi


def fft(re, im, n, w, sign):
    bit_reverse(re, im, n)
    wr, wi = w
    size = 2
    while size <= n:
        half = size // 2
        stride = n // size
        for start in range(0, n, size):
            for k in range(half):
                tw_r = wr[k * stride]
                tw_i = sign * wi[k * stride]
                a = start + k
                b = a + half
                br = re[b]
                bi = im[b]
                tr = br * tw_r - bi * tw_i
                ti = br * tw_i + bi * tw_r
                ar = re[a]
                ai = im[a]
                re[b] = ar - tr
                im[b] = ai - ti
                re[a] = ar + tr
                im[a] = ai + ti
        size *= 2


def scale(v, factor, n):
    for i in range(n):
        v[i] = v[i] * factor


def run(n, rounds):
    re = [0.0] * n
    im = [0.0] * n
    w = twiddles(n)
    inv = 1.0 / float(n)
    for i in range(n):
        re[i] = float((i * i) % 17) - 8.0
    last = 0.0
    for _ in range(rounds):
        fft(re, im, n, w, 1.0)
        last = re[5]
        fft(re, im, n, w, -1.0)
        scale(re, inv, n)
        scale(im, inv, n)
    e = 0.0
    for i in range(n):
        e = e + abs(re[i] - (float((i * i) % 17) - 8.0))
    print(math.floor(1e12 * e), math.floor(1000.0 * last))


run(4096, 40)
