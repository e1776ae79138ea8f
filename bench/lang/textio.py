# textio: character I/O through string ports. A 36 452-character text is built
# once; each round reads it back one character at a time from an io.StringIO
# (read(1), and a one-character lookahead by tell/seek for peek), classifies the
# characters (isalpha, isspace, isdigit), writes each word capitalised to
# another io.StringIO one character at a time, and folds ord() of the output
# into a checksum.
# Prints: words, output length, and checksum over all rounds
# Expected: 600000 3645200 163384083
import io

WORDS = ["Lorem", "ipsum", "dolor", "sit", "amet,", "consectetur", "adipiscing", "elit;",
         "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore",
         "magna", "aliqua.", "Ut", "enim", "ad", "minim", "veniam", "1234", "42"]


def make_text(n):
    out = io.StringIO()
    for i in range(n):
        out.write(WORDS[(i * 7) % len(WORDS)])
        out.write('\n' if i % 11 == 10 else ' ')
    return out.getvalue()


def peek(f):
    pos = f.tell()
    c = f.read(1)
    f.seek(pos)
    return c


def capitalise(text):
    inp = io.StringIO(text)
    out = io.StringIO()
    in_word = False
    count = 0
    while True:
        c = inp.read(1)
        if c == '':
            return count, out.getvalue()
        if c.isalpha():
            out.write(c.lower() if in_word else c.upper())
            if not in_word:
                count += 1
            in_word = True
        elif c.isdigit():
            out.write(c)
            if not in_word and peek(inp).isdigit():
                out.write('_')
            if not in_word:
                count += 1
            in_word = True
        elif c.isspace():
            out.write(c)
            in_word = False
        else:
            out.write(c)


def checksum(s):
    acc = 0
    for ch in s:
        acc = (acc * 31 + ord(ch)) % 1000000007
    return acc


def run(rounds):
    text = make_text(6000)
    words = 0
    length = 0
    total = 0
    for _ in range(rounds):
        count, out = capitalise(text)
        words += count
        length += len(out)
        total = (total + checksum(out)) % 1000000007
    print(words, length, total)


run(100)
