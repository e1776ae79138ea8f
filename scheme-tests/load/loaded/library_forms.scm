; A file for `load` that defines a library and imports it, as a program would.
(define-library (loaded greeting)
  (export greet (rename greeting-count count))
  (import (scheme base))
  (begin
    (define greeting-count 0)
    (define (greet name)
      (set! greeting-count (+ greeting-count 1))
      (string-append "hello, " name))))
(import (prefix (loaded greeting) g:))
(define loaded-greeting (g:greet "load"))
