#!/usr/bin/env python3
"""Runs chibi-scheme's R7RS conformance file (tests/r7rs-tests.scm) with Sigil, one top-level
form at a time, and counts the tests that pass and fail.

Usage: python3 bench/r7rs/run.py R7RS-TESTS.SCM [--sigil PATH] [--verbose]

The file is not part of this repository; take it from chibi-scheme's repository
(tests/r7rs-tests.scm). Each top-level form becomes a string that the driver
(bench/r7rs/driver.sgl) reads and evaluates inside a guard, so a form Sigil cannot read or
compile costs only the tests inside it. `import` forms are skipped: Sigil's standard
procedures are built in and the driver provides (chibi test): test, test-assert,
test-error, test-values, test-begin, test-end. A test passes as in (chibi test): equal?,
or, for an inexact expected real, within a relative 1e-5.

Prints each failure (FAIL: a wrong value, ERROR: an error inside a test, FORM: a form
that failed outside any test), then `N passed, M failed` where M counts against
chibi's total of 1225 tests (tests inside a form that could not run count as failed).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TOTAL = 1225
HERE = os.path.dirname(os.path.abspath(__file__))


def forms(text):
    """Splits Scheme source into (line, text) of its top-level forms."""
    out, i, n, line = [], 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == ";":
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("#|", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("|#", i):
                    depth, i = depth - 1, i + 2
                elif text.startswith("#|", i):
                    depth, i = depth + 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        else:
            start, start_line = i, line
            i, line = datum_end(text, i, line)
            out.append((start_line, text[start:i]))
    return out


def datum_end(text, i, line):
    """The index just past the datum starting at i (a list counts its brackets, skipping
    strings, |symbols|, characters and comments), and the line there."""
    n, depth = len(text), 0
    while i < n:
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth <= 0:
                return i + 1, line
        elif c in "\"|":
            i += 1
            while i < n and text[i] != c:
                if text[i] == "\\":
                    i += 1
                line += text[i] == "\n"
                i += 1
        elif text.startswith("#\\", i):
            i += 3
            continue
        elif c == ";" and depth:
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif c == "\n":
            line += 1
            if depth == 0:
                return i, line
        elif c.isspace() and depth == 0:
            return i, line
        i += 1
    return i, line


def scheme_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tests")
    ap.add_argument("--sigil", default=os.path.join(HERE, "../../target/release/sigil"))
    ap.add_argument("--verbose", action="store_true", help="print every failure")
    args = ap.parse_args()
    with open(args.tests, encoding="utf-8") as f:
        text = f.read()
    calls = []
    for line, form in forms(text):
        if re.match(r"\(\s*import\b", form):
            continue
        calls.append(f"(run-form {line} {scheme_string(form)})")
    with open(os.path.join(HERE, "driver.sgl"), encoding="utf-8") as f:
        driver = f.read()
    with tempfile.NamedTemporaryFile("w", suffix=".sgl", delete=False) as prog:
        prog.write(driver + "\n" + "\n".join(calls) + "\n(report)\n")
    try:
        r = subprocess.run([args.sigil, prog.name], capture_output=True, text=True,
                           timeout=600)
    finally:
        os.unlink(prog.name)
    out = r.stdout
    if r.returncode != 0:
        print(out, r.stderr, sep="\n", file=sys.stderr)
        sys.exit(f"the driver failed (status {r.returncode})")
    passed = int(re.search(r"^PASSED (\d+)$", out, re.M).group(1))
    for l in out.splitlines():
        if not l.startswith("PASSED"):
            print(l)
    print(f"{passed} passed, {TOTAL - passed} failed")


if __name__ == "__main__":
    main()
