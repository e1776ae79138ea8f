;; vector: fill a 10000000-element vector with i, then sum it.
;; Expected output: 49999995000000
(define (run n)
  (let ((v (make-vector n 0)))
    (let fill ((i 0))
      (if (< i n)
          (begin
            (vector-set! v i i)
            (fill (+ i 1)))))
    (let sum ((i 0) (acc 0))
      (if (< i n)
          (sum (+ i 1) (+ acc (vector-ref v i)))
          acc))))

(display (run 10000000))
(newline)
