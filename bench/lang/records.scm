;; records: a binary search tree whose nodes are records (define-record-type),
;; with a constructor, a predicate, accessors and modifiers. Each round inserts
;; 20 000 pseudo-random keys (a linear congruential generator), adding 1 to a
;; node's count when its key is already there, then looks every key up again and
;; sums the counts, and measures the tree's height.
;; Prints: the sum of the lookups' counts over all rounds, and the last tree's
;; number of nodes and height. Guile: SRFI 9 records (its define-record-type).
;; Expected: 203930 19792 34
(use-modules (srfi srfi-9))
(define-record-type node
  (make-node key count left right)
  node?
  (key node-key)
  (count node-count set-node-count!)
  (left node-left set-node-left!)
  (right node-right set-node-right!))

(define (insert! tree key)
  (if (not (node? tree))
      (make-node key 1 #f #f)
      (let loop ((n tree))
        (cond ((= key (node-key n)) (set-node-count! n (+ (node-count n) 1)) tree)
              ((< key (node-key n))
               (if (node? (node-left n))
                   (loop (node-left n))
                   (begin (set-node-left! n (make-node key 1 #f #f)) tree)))
              (else
               (if (node? (node-right n))
                   (loop (node-right n))
                   (begin (set-node-right! n (make-node key 1 #f #f)) tree)))))))

(define (lookup tree key)
  (let loop ((n tree))
    (cond ((not (node? n)) 0)
          ((= key (node-key n)) (node-count n))
          ((< key (node-key n)) (loop (node-left n)))
          (else (loop (node-right n))))))

(define (size n)
  (if (node? n) (+ 1 (size (node-left n)) (size (node-right n))) 0))

(define (height n)
  (if (node? n) (+ 1 (max (height (node-left n)) (height (node-right n)))) 0))

(define (next-key x) (modulo (+ (* x 1103515245) 12345) 2147483648))

(define (round seed)
  (let fill ((i 0) (x seed) (tree #f))
    (if (< i 20000)
        (fill (+ i 1) (next-key x) (insert! tree (modulo x 1000000)))
        (let sum ((i 0) (x seed) (total 0))
          (if (< i 20000)
              (sum (+ i 1) (next-key x) (+ total (lookup tree (modulo x 1000000))))
              (list total tree))))))

(define (run rounds)
  (let loop ((r 0) (total 0) (last #f))
    (if (= r rounds)
        (begin (display total) (display " ") (display (size last))
               (display " ") (display (height last)) (newline))
        (let ((result (round (+ r 1))))
          (loop (+ r 1) (+ total (car result)) (cadr result))))))

(run 10)
