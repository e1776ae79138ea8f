;; msort: destructive list surgery. ROUNDS times: build a list of 20000
;; pseudo-random fixnums (a linear congruential generator), sort it with an
;; in-place merge sort that relinks the pairs with set-cdr!, reverse it in
;; place, and fold a checksum over it.
;; Prints: the checksum of the last round, and the sum of all rounds' checksums
;; Expected: 165382878 51275735442
(define (random-list n seed)
  (let loop ((i 0) (s seed) (acc '()))
    (if (= i n)
        acc
        (let ((s2 (modulo (+ (* s 1103515245) 12345) 2147483648)))
          (loop (+ i 1) s2 (cons (quotient s2 65536) acc))))))

;; Merges two sorted lists by relinking their pairs.
(define (merge! a b)
  (cond ((null? a) b)
        ((null? b) a)
        ((< (car b) (car a))
         (merge-into! b a (cdr b))
         b)
        (else
         (merge-into! a (cdr a) b)
         a)))

;; `last` is the tail of the merged list so far; a and b the rest of each list.
(define (merge-into! last a b)
  (cond ((null? a) (set-cdr! last b))
        ((null? b) (set-cdr! last a))
        ((< (car b) (car a))
         (set-cdr! last b)
         (merge-into! b a (cdr b)))
        (else
         (set-cdr! last a)
         (merge-into! a (cdr a) b))))

;; Sorts the first n pairs of lst; returns the sorted list (its last pair's cdr
;; is '()) and stores the rest of lst in the cell rest.
(define (sort! lst n rest)
  (if (= n 1)
      (let ((next (cdr lst)))
        (set-cdr! lst '())
        (set-car! rest next)
        lst)
      (let* ((h (quotient n 2))
             (a (sort! lst h rest))
             (b (sort! (car rest) (- n h) rest)))
        (merge! a b))))

(define (reverse-in-place! lst)
  (let loop ((l lst) (prev '()))
    (if (null? l)
        prev
        (let ((next (cdr l)))
          (set-cdr! l prev)
          (loop next l)))))

(define (checksum lst)
  (let loop ((l lst) (i 1) (acc 0))
    (if (null? l)
        acc
        (loop (cdr l) (+ i 1) (modulo (+ acc (* i (car l))) 1000000007)))))

(define (run rounds n)
  (let loop ((r 0) (last 0) (total 0))
    (if (= r rounds)
        (begin
          (display last)
          (display " ")
          (display total)
          (newline))
        (let* ((l (random-list n (+ r 1)))
               (sorted (reverse-in-place! (sort! l n (list '()))))
               (c (checksum sorted)))
          (loop (+ r 1) c (+ total c))))))

(run 100 20000)
