;; ctak: Takeuchi's function where every call returns through a continuation
;; captured with call/cc (Gabriel's CTAK): each of the ≈63 600 calls of
;; (tak 18 12 6) captures a continuation and escapes through it;
;; computed ROUNDS times.
;; Prints: the last result
;; Expected: 7
(define (ctak x y z)
  (call-with-current-continuation
   (lambda (k) (ctak-aux k x y z))))

(define (ctak-aux k x y z)
  (if (not (< y x))
      (k z)
      (call-with-current-continuation
       (lambda (k)
         (ctak-aux
          k
          (call-with-current-continuation
           (lambda (k) (ctak-aux k (- x 1) y z)))
          (call-with-current-continuation
           (lambda (k) (ctak-aux k (- y 1) z x)))
          (call-with-current-continuation
           (lambda (k) (ctak-aux k (- z 1) x y))))))))

(define (run rounds)
  (let loop ((i 0) (r 0))
    (if (= i rounds)
        r
        (loop (+ i 1) (ctak 18 12 6)))))

(display (run 3))
(newline)
