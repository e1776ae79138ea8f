;; closures: higher-order calls. Each round builds closures (an adder, a
;; composition, a counter with set! state), maps them over a 500-element list
;; with map, filters with a lambda predicate, and folds with fold (SRFI 1)
;; and a lambda; Guile imports fold from (srfi srfi-1).
;; Prints: the sum over all rounds, and the counter's final value
;; Expected: 5999998 2000000
(use-modules (srfi srfi-1))

(define (make-adder n) (lambda (x) (+ x n)))
(define (compose f g) (lambda (x) (f (g x))))
(define (make-counter)
  (let ((n 0))
    (lambda (by) (set! n (+ n by)) n)))

(define (iota-list n)
  (let loop ((i (- n 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons i acc)))))

(define (run rounds n)
  (let ((xs (iota-list n))
        (counter (make-counter)))
    (let loop ((r 0) (total 0))
      (if (= r rounds)
          (begin (display total) (display " ") (display (counter 0)) (newline))
          (let* ((f (compose (make-adder r) (lambda (x) (* x 3))))
                 (ys (map f xs))
                 (odd (filter (lambda (y) (odd? y)) ys))
                 (s (fold (lambda (y acc) (+ acc (remainder y 7))) 0 odd)))
            (counter (length odd))
            (loop (+ r 1) (+ total s)))))))

(run 8000 500)
