# dict: association lists and hash tables with symbol and string keys. Each
# round looks up every word of a 40-word text in a 16-entry alist of symbols
# (an `is` search, like assq; symbols are interned strings here) and in a
# 16-entry alist of strings (an == search, like assoc), and counts the words in
# a dict keyed by strings built by concatenation (400 distinct keys).
# Prints: the alist sum, the number of distinct keys, and the count of "the-7"
# Expected: 12880000 400 6400
import sys

WORDS = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'and',
         'runs', 'away', 'from', 'a', 'red', 'hen', 'cat']
SYMBOLS = [(sys.intern(w), i + 1) for i, w in enumerate(WORDS)]
STRINGS = [(''.join(list(w)), i + 1) for i, w in enumerate(WORDS)]

TEXT = [sys.intern(w) for w in """the quick brown fox jumps over the lazy dog and the dog runs away from
    the fox and a red hen jumps over a lazy cat and the cat runs from the red
    fox and the hen runs away over the brown dog""".split()]
TEXT_STRINGS = [''.join(list(w)) for w in TEXT]
SUFFIXES = [str(i) for i in range(25)]


def assq(key, alist):
    for pair in alist:
        if pair[0] is key:
            return pair
    return None


def assoc(key, alist):
    for pair in alist:
        if pair[0] == key:
            return pair
    return None


def run(rounds):
    table = {}
    total = 0
    s = 0
    for _ in range(rounds):
        suffix = SUFFIXES[s]
        for w, ws in zip(TEXT, TEXT_STRINGS):
            key = ws + '-' + suffix
            table[key] = table.get(key, 0) + 1
            total = total + assq(w, SYMBOLS)[1] + assoc(ws, STRINGS)[1]
        s = (s + 1) % len(SUFFIXES)
    print(total, len(table), table.get('the-7', 0))


run(20000)
