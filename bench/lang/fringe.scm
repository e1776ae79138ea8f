;; fringe: generators made with call/cc, used for the same-fringe problem.
;; A generator walks a tree recursively and hands each leaf out by capturing
;; its own continuation and escaping to the consumer's; asking for the next
;; leaf re-enters the walk. Each round compares the fringes of two trees of
;; 600 leaves built in different shapes (a right comb and a balanced tree),
;; and of the first tree against a third that differs in its last leaf.
;; Prints: leaves compared over all rounds, and how many comparisons said "same"
;; Expected: 59950 50
(define (make-generator tree)
  (define return #f)
  (define resume #f)
  (define (walk t)
    (cond ((null? t) #f)
          ((pair? t) (walk (car t)) (walk (cdr t)))
          (else
           (call-with-current-continuation
            (lambda (k)
              (set! resume k)
              (return t))))))
  (set! resume
        (lambda (ignored)
          (walk tree)
          (return 'done)))
  (lambda ()
    (call-with-current-continuation
     (lambda (k)
       (set! return k)
       (resume #f)))))

;; Compares the leaves of a and b; returns (leaves-compared . same?).
(define (same-fringe a b)
  (let ((ga (make-generator a))
        (gb (make-generator b)))
    (let loop ((n 0))
      (let ((x (ga)) (y (gb)))
        (cond ((not (eqv? x y)) (cons n #f))
              ((eq? x 'done) (cons n #t))
              (else (loop (+ n 1))))))))

(define (comb lo hi)
  (if (> lo hi) '() (cons lo (comb (+ lo 1) hi))))

(define (balanced lo hi)
  (cond ((> lo hi) '())
        ((= lo hi) lo)
        (else (let ((mid (quotient (+ lo hi) 2)))
                (cons (balanced lo mid) (balanced (+ mid 1) hi))))))

(define (run rounds n)
  (let ((a (comb 1 n))
        (b (balanced 1 n))
        (c (balanced 1 (- n 1))))
    (let loop ((r 0) (leaves 0) (same 0))
      (if (= r rounds)
          (begin (display leaves) (display " ") (display same) (newline))
          (let ((s1 (same-fringe a b))
                (s2 (same-fringe a c)))
            (loop (+ r 1)
                  (+ leaves (car s1) (car s2))
                  (+ same (if (cdr s1) 1 0) (if (cdr s2) 1 0))))))))

(run 50 600)
