# strings: 200000 rounds of string-port writes and string concatenation
# (same algorithm as strings.sgl, with io.StringIO as the string port).
# Prints: <length of the port's string> <checksum>
import io

WORDS = ("alpha", "beta", "gamma", "delta")


def run(n):
    p = io.StringIO()
    s = ""
    total = 0
    for i in range(n):
        w = WORDS[i % 4]
        p.write(str(i))
        p.write(" ")
        p.write(w)
        p.write("\n")
        s2 = s + w
        ln = len(s2)
        total = (total * 31 + ln) % 1000000007
        s = "" if ln > 60 else s2
    print(len(p.getvalue()), total)


run(200000)
