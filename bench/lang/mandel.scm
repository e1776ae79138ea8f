;; mandel: escape-time Mandelbrot over an N x N grid of the square
;; [-2, 1] x [-1.5, 1.5], at most LIMIT iterations per point (N = 400,
;; LIMIT = 1000). The kernel is one procedure whose inner named let uses only
;; + - * > on flonums (and a fixnum counter); every flonum is derived from
;; float literals and exact->inexact, so a compiler that infers types (Guile 3
;; does, for this shape of code) keeps them unboxed.
;; Prints: the total number of iterations over the grid
;; Expected: 27654979
(define (mandel n limit)
  (let ((step (/ 3.0 400.0)))
    (let rows ((y 0) (total 0))
      (if (= y n)
          total
          (let ((ci (- (* (exact->inexact y) step) 1.5)))
            (let cols ((x 0) (total total))
              (if (= x n)
                  (rows (+ y 1) total)
                  (let ((cr (- (* (exact->inexact x) step) 2.0)))
                    (cols (+ x 1)
                          (+ total
                             (let loop ((zr 0.0) (zi 0.0) (i 0))
                               (if (= i limit)
                                   i
                                   (let ((zr2 (* zr zr))
                                         (zi2 (* zi zi)))
                                     (if (> (+ zr2 zi2) 4.0)
                                         i
                                         (loop (+ (- zr2 zi2) cr)
                                               (+ (* 2.0 (* zr zi)) ci)
                                               (+ i 1))))))))))))))))

(display (mandel 400 1000))
(newline)
