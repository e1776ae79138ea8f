;; cpstak: Takeuchi's function in continuation-passing style (Gabriel's
;; CPSTAK): every call is a tail call and every intermediate result goes to a
;; freshly made closure; (cpstak 18 12 6) computed ROUNDS times.
;; Prints: the last result
;; Expected: 7
(define (cpstak x y z)
  (define (tak x y z k)
    (if (not (< y x))
        (k z)
        (tak (- x 1) y z
             (lambda (v1)
               (tak (- y 1) z x
                    (lambda (v2)
                      (tak (- z 1) x y
                           (lambda (v3)
                             (tak v1 v2 v3 k)))))))))
  (tak x y z (lambda (a) a)))

(define (run rounds)
  (let loop ((i 0) (r 0))
    (if (= i rounds)
        r
        (loop (+ i 1) (cpstak 18 12 6)))))

(display (run 150))
(newline)
