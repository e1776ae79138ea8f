(display "ran")
(newline)
(define before-the-read-error (+ 1 2))
(display (list 1
               2
