;; matrix: 2-D arrays as vectors of row vectors. ROUNDS times: multiply two
;; 80 x 80 fixnum matrices (the triple loop reads rows with vector-ref and
;; writes the product with vector-set!), transpose the product into a fresh
;; matrix, and fold a checksum over it.
;; Prints: the checksum of the last product, and the sum over all rounds
;; Expected: 797993062 22690953211
(define (make-matrix n m init)
  (let ((rows (make-vector n #f)))
    (do ((i 0 (+ i 1))) ((= i n) rows)
      (let ((row (make-vector m 0)))
        (do ((j 0 (+ j 1))) ((= j m))
          (vector-set! row j (init i j)))
        (vector-set! rows i row)))))

(define (mat-ref a i j) (vector-ref (vector-ref a i) j))

(define (mat-mul a b n)
  (let ((c (make-matrix n n (lambda (i j) 0))))
    (do ((i 0 (+ i 1))) ((= i n) c)
      (let ((ai (vector-ref a i))
            (ci (vector-ref c i)))
        (do ((j 0 (+ j 1))) ((= j n))
          (let loop ((k 0) (sum 0))
            (if (= k n)
                (vector-set! ci j sum)
                (loop (+ k 1) (+ sum (* (vector-ref ai k) (mat-ref b k j)))))))))))

(define (transpose a n)
  (make-matrix n n (lambda (i j) (mat-ref a j i))))

(define (checksum a n)
  (let loop ((i 0) (j 0) (acc 0))
    (cond ((= i n) acc)
          ((= j n) (loop (+ i 1) 0 acc))
          (else (loop i (+ j 1)
                      (modulo (+ (* acc 31) (mat-ref a i j)) 1000000007))))))

(define (run rounds n)
  (let loop ((r 0) (last 0) (total 0))
    (if (= r rounds)
        (begin (display last) (display " ") (display total) (newline))
        (let* ((a (make-matrix n n (lambda (i j) (modulo (+ (* i 7) (* j 3) r) 10))))
               (b (make-matrix n n (lambda (i j) (- (modulo (+ (* i j) r) 9) 4))))
               (c (transpose (mat-mul a b n) n))
               (s (checksum c n)))
          (loop (+ r 1) s (+ total s))))))

(run 50 80)
