;;; Prelude for running the Guile benchmark programs (bench/lang/*.scm) with
;;; CHICKEN 5's interpreter, csi: bench/run.sh puts it in front of each
;;; program. It shims the few Guile / R7RS names CHICKEN 5's core lacks
;;; (SRFI 1 and R7RS write-string are eggs there); the shims are plain Scheme,
;;; interpreted like the program, as Sigil's own fold and filter are.

;; Guile's module imports: nothing to import in CHICKEN.
(define-syntax use-modules
  (syntax-rules ()
    ((_ spec ...) (begin))))

;; SRFI 1 fold and filter, one list.
(define (fold kons knil lst)
  (if (null? lst) knil (fold kons (kons (car lst) knil) (cdr lst))))

(define (filter pred lst)
  (let loop ((l lst) (acc '()))
    (cond ((null? l) (reverse acc))
          ((pred (car l)) (loop (cdr l) (cons (car l) acc)))
          (else (loop (cdr l) acc)))))

;; R7RS (write-string string port); CHICKEN's own takes a length second.
(define (write-string s port) (display s port))
