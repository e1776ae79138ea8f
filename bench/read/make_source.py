"""Writes a Sigil source file of about 20 000 lines to standard output: 4 000 procedure
definitions (with comments, strings, floats, characters and quoted symbols).

    make_source.py            the definitions, run as code
    make_source.py --quoted   the same text inside one quoted list (only read and converted)
    make_source.py --quoted --plain   quoted, without the floats and characters
"""
import sys

quoted = "--quoted" in sys.argv
plain = "--plain" in sys.argv
lines = []
for i in range(4000):
    extra = "" if plain else f" {i}.5 #\\x"
    lines += [
        f"(define (proc-{i} lst acc)",
        f"  ; process item {i}",
        f"  (cond ((null? lst) (reverse acc))",
        f"        ((eq? (car lst) 'skip-{i}) (proc-{i} (cdr lst) acc))",
        f"        (else (proc-{i} (cdr lst) (cons (list {i}{extra} \"item-{i}\" (* 2 (car lst))) acc)))))",
    ]
body = "\n".join(lines)
print(f"(define data '(\n{body}\n))" if quoted else body)
print('(display "done")')
