;; takl: Takeuchi's function on lists (Gabriel's TAKL): numbers are lists and
;; `x < y` is "list x is shorter than list y", so the work is null?/cdr
;; recursion; (mas (listn 18) (listn 12) (listn 6)) computed ROUNDS times.
;; Prints: the length of the last result
;; Expected: 7
(define (listn n)
  (if (= n 0)
      '()
      (cons n (listn (- n 1)))))

(define (shorter? x y)
  (and (not (null? y))
       (or (null? x)
           (shorter? (cdr x) (cdr y)))))

(define (mas x y z)
  (if (not (shorter? y x))
      z
      (mas (mas (cdr x) y z)
           (mas (cdr y) z x)
           (mas (cdr z) x y))))

(define (run rounds)
  (let ((l18 (listn 18)) (l12 (listn 12)) (l6 (listn 6)))
    (let loop ((i 0) (r '()))
      (if (= i rounds)
          (length r)
          (loop (+ i 1) (mas l18 l12 l6))))))

(display (run 200))
(newline)
