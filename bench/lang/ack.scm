;; ack: the Ackermann function, deep non-tail fixnum recursion;
;; (ack 3 9) computed ROUNDS times.
;; Prints: the last result
;; Expected: 4093
(define (ack m n)
  (cond ((= m 0) (+ n 1))
        ((= n 0) (ack (- m 1) 1))
        (else (ack (- m 1) (ack m (- n 1))))))

(define (run rounds)
  (let loop ((i 0) (r 0))
    (if (= i rounds)
        r
        (loop (+ i 1) (ack 3 9)))))

(display (run 10))
(newline)
