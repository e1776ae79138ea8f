;; life: Conway's game of life on a 64 x 64 torus held as a vector of row
;; vectors of 0/1 fixnums; GENERATIONS steps from a pseudo-random start (a
;; linear congruential generator), each step computing a fresh grid from the
;; eight neighbours of every cell (indexes wrap with modulo).
;; Prints: the live cells at the end, and the sum of live cells over all steps
;; Expected: 131 188156
(define (make-grid n)
  (let ((g (make-vector n #f)))
    (do ((i 0 (+ i 1))) ((= i n) g)
      (vector-set! g i (make-vector n 0)))))

(define (random-grid n seed)
  (let ((g (make-grid n)))
    (let loop ((i 0) (s seed))
      (if (= i (* n n))
          g
          (let ((s2 (modulo (+ (* s 1103515245) 12345) 2147483648)))
            (if (< (quotient s2 65536) 10000)
                (vector-set! (vector-ref g (quotient i n)) (remainder i n) 1))
            (loop (+ i 1) s2))))))

(define (cell g n i j)
  (vector-ref (vector-ref g (modulo i n)) (modulo j n)))

(define (neighbours g n i j)
  (+ (cell g n (- i 1) (- j 1)) (cell g n (- i 1) j) (cell g n (- i 1) (+ j 1))
     (cell g n i (- j 1)) (cell g n i (+ j 1))
     (cell g n (+ i 1) (- j 1)) (cell g n (+ i 1) j) (cell g n (+ i 1) (+ j 1))))

(define (step g n)
  (let ((new (make-grid n)))
    (do ((i 0 (+ i 1))) ((= i n) new)
      (let ((row (vector-ref g i))
            (new-row (vector-ref new i)))
        (do ((j 0 (+ j 1))) ((= j n))
          (let ((k (neighbours g n i j)))
            (if (or (= k 3) (and (= k 2) (= (vector-ref row j) 1)))
                (vector-set! new-row j 1))))))))

(define (population g n)
  (let loop ((i 0) (j 0) (acc 0))
    (cond ((= i n) acc)
          ((= j n) (loop (+ i 1) 0 acc))
          (else (loop i (+ j 1) (+ acc (vector-ref (vector-ref g i) j)))))))

(define (run n generations)
  (let loop ((k 0) (g (random-grid n 42)) (total 0))
    (if (= k generations)
        (begin (display (population g n)) (display " ") (display total) (newline))
        (let ((next (step g n)))
          (loop (+ k 1) next (+ total (population next n)))))))

(run 64 600)
