;; deriv: symbolic differentiation (after Gabriel's DERIV) plus a small
;; rule-based simplifier that matches patterns against the result. Each round
;; differentiates four expressions in x, simplifies the derivatives, and counts
;; their pairs; the work is car/cdr/cons/eq?/pair?/null?, map with a lambda,
;; memq, and assq on the pattern variables' bindings.
;; Prints: the total pair count over all rounds, and the last simplified
;; derivative of the first expression
;; Expected: 2100000 (+ (* (* 3 x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* a x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* b x) (/ 1 x)) 0)
(define (deriv a)
  (cond ((not (pair? a)) (if (eq? a 'x) 1 0))
        ((eq? (car a) '+) (cons '+ (map deriv (cdr a))))
        ((eq? (car a) '-) (cons '- (map deriv (cdr a))))
        ((eq? (car a) '*)
         (list '* a (cons '+ (map (lambda (a) (list '/ (deriv a) a)) (cdr a)))))
        ((eq? (car a) '/)
         (list '-
               (list '/ (deriv (cadr a)) (caddr a))
               (list '/ (cadr a) (list '* (caddr a) (caddr a) (deriv (caddr a))))))
        (else (error "deriv: unknown operator" (car a)))))

;; Pattern matching: a pattern is a datum in which the symbols ?a ?b ?c are
;; variables; returns the bindings (an alist) extended, or #f.
(define (variable? p)
  (memq p '(?a ?b ?c)))

(define (match p e bindings)
  (cond ((not bindings) #f)
        ((variable? p)
         (let ((b (assq p bindings)))
           (if b
               (and (equal? (cdr b) e) bindings)
               (cons (cons p e) bindings))))
        ((pair? p)
         (and (pair? e)
              (match (cdr p) (cdr e) (match (car p) (car e) bindings))))
        (else (and (eqv? p e) bindings))))

(define (instantiate t bindings)
  (cond ((variable? t) (cdr (assq t bindings)))
        ((pair? t) (cons (instantiate (car t) bindings)
                         (instantiate (cdr t) bindings)))
        (else t)))

(define rules
  '(((* ?a 0) 0) ((* 0 ?a) 0) ((/ 0 ?a) 0) ((* ?a 1) ?a) ((* 1 ?a) ?a)
    ((/ ?a 1) ?a) ((+ ?a 0) ?a) ((+ 0 ?a) ?a) ((- ?a 0) ?a)
    ((+ ?a) ?a) ((* ?a) ?a)))

(define (rewrite e)
  (let loop ((rs rules))
    (if (null? rs)
        e
        (let ((b (match (car (car rs)) e '())))
          (if b
              (instantiate (cadr (car rs)) b)
              (loop (cdr rs)))))))

(define (simplify e)
  (if (pair? e)
      (rewrite (map simplify e))
      e))

(define (count-pairs x)
  (if (pair? x)
      (+ 1 (count-pairs (car x)) (count-pairs (cdr x)))
      0))

(define exprs
  '((+ (* 3 x x) (* a x x) (* b x) 5)
    (* (+ x 1) (- x 2) (/ x 3))
    (/ (+ (* x x) 1) (- (* 2 x) 1))
    (- (* x (* x x)) (/ 1 x) x)))

(define (run rounds)
  (let loop ((i 0) (total 0) (last '()))
    (if (= i rounds)
        (begin
          (display total)
          (display " ")
          (write last)
          (newline))
        (let inner ((es exprs) (total total) (first #f))
          (if (null? es)
              (loop (+ i 1) total first)
              (let ((d (simplify (deriv (car es)))))
                (inner (cdr es) (+ total (count-pairs d)) (or first d))))))))

(run 10000)
