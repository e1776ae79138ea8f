#!/usr/bin/env sigil
(define loaded-value 'from-values.scm)
(display "loading values.scm")
(newline)
