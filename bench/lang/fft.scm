;; fft: in-place iterative radix-2 FFT of 4096 complex points held in two
;; vectors of flonums (real and imaginary parts), then the inverse transform
;; (by conjugation), ROUNDS times. The twiddle factors are computed once with
;; sin/cos; the butterflies use only + - * on flonums read from vectors.
;; Prints: (floor (* 1e12 sum of |x_i - original_i|)) after all rounds (the
;; accumulated round-off error, identical wherever the same IEEE operations run),
;; and (floor (* 1000 re[5])) of the last forward transform
;; Expected: 156 7002
(define pi 3.141592653589793)

(define (bit-reverse! re im n)
  (let loop ((i 0) (j 0))
    (if (< i n)
        (begin
          (if (< i j)
              (let ((tr (vector-ref re i)) (ti (vector-ref im i)))
                (vector-set! re i (vector-ref re j))
                (vector-set! im i (vector-ref im j))
                (vector-set! re j tr)
                (vector-set! im j ti)))
          (let bit ((m (quotient n 2)) (j j))
            (if (and (>= m 1) (>= j m))
                (bit (quotient m 2) (- j m))
                (loop (+ i 1) (+ j m))))))))

;; Twiddles for size n: w_k = exp(-2 pi i k / n), k < n/2.
(define (twiddles n)
  (let ((wr (make-vector (quotient n 2) 0.0))
        (wi (make-vector (quotient n 2) 0.0)))
    (do ((k 0 (+ k 1))) ((= k (quotient n 2)))
      (let ((a (/ (* -2.0 (* pi (exact->inexact k))) (exact->inexact n))))
        (vector-set! wr k (cos a))
        (vector-set! wi k (sin a))))
    (cons wr wi)))

;; Forward transform; `sign` 1.0, or -1.0 for the conjugate twiddles.
(define (fft! re im n w sign)
  (bit-reverse! re im n)
  (let ((wr (car w)) (wi (cdr w)))
    (let stages ((size 2))
      (if (<= size n)
          (let ((half (quotient size 2))
                (stride (quotient n size)))
            (let blocks ((start 0))
              (if (< start n)
                  (let butterflies ((k 0))
                    (if (< k half)
                        (let* ((tw-r (vector-ref wr (* k stride)))
                               (tw-i (* sign (vector-ref wi (* k stride))))
                               (a (+ start k))
                               (b (+ a half))
                               (br (vector-ref re b))
                               (bi (vector-ref im b))
                               (tr (- (* br tw-r) (* bi tw-i)))
                               (ti (+ (* br tw-i) (* bi tw-r)))
                               (ar (vector-ref re a))
                               (ai (vector-ref im a)))
                          (vector-set! re b (- ar tr))
                          (vector-set! im b (- ai ti))
                          (vector-set! re a (+ ar tr))
                          (vector-set! im a (+ ai ti))
                          (butterflies (+ k 1)))
                        (blocks (+ start size))))
                  (stages (* size 2)))))))))

(define (scale! v factor n)
  (do ((i 0 (+ i 1))) ((= i n))
    (vector-set! v i (* (vector-ref v i) factor))))

(define (run n rounds)
  (let ((re (make-vector n 0.0))
        (im (make-vector n 0.0))
        (w (twiddles n))
        (inv (/ 1.0 (exact->inexact n))))
    (do ((i 0 (+ i 1))) ((= i n))
      (vector-set! re i (- (exact->inexact (modulo (* i i) 17)) 8.0)))
    (let loop ((r 0) (last 0.0))
      (if (< r rounds)
          (begin
            (fft! re im n w 1.0)
            (let ((x5 (vector-ref re 5)))
              (fft! re im n w -1.0)
              (scale! re inv n)
              (scale! im inv n)
              (loop (+ r 1) x5)))
          (let err ((i 0) (e 0.0))
            (if (< i n)
                (err (+ i 1)
                     (+ e (abs (- (vector-ref re i)
                                  (- (exact->inexact (modulo (* i i) 17)) 8.0)))))
                (begin
                  (display (inexact->exact (floor (* 1e12 e))))
                  (display " ")
                  (display (inexact->exact (floor (* 1000.0 last))))
                  (newline))))))))

(run 4096 40)
