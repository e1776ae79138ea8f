;; assoc-hash (Guile): same as assoc-hash.sgl, but the hash-table part uses
;; Guile's native hash API (hash-ref / hash-set! on make-hash-table).
;; Prints: <alist sum> <table size> <count for key 7>
;; Expected: 3900000 1000 1000
(define alist
  '((0 . 3) (1 . 1) (2 . 4) (3 . 1) (4 . 5)
    (5 . 9) (6 . 2) (7 . 6) (8 . 5) (9 . 3)))

(define (alist-sum n)
  (let loop ((i 0) (acc 0))
    (if (= i n)
        acc
        (loop (+ i 1) (+ acc (cdr (assv (modulo i 10) alist)))))))

(define (count-keys n)
  (let ((t (make-hash-table)))
    (let loop ((i 0))
      (if (< i n)
          (let ((k (modulo i 1000)))
            (hash-set! t k (+ 1 (hash-ref t k 0)))
            (loop (+ i 1)))))
    t))

(define t (count-keys 1000000))
(display (alist-sum 1000000))
(display " ")
(display (hash-count (lambda (k v) #t) t))
(display " ")
(display (hash-ref t 7 0))
(newline)
