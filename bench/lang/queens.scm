;; queens: graph enumeration by backtracking. Counts every placement of N
;; queens on an N x N board (N = 13): a depth-first search that marks the
;; occupied columns and diagonals in three boolean vectors (vector-ref /
;; vector-set!), plus the number of search-tree nodes visited.
;; Prints: solutions and nodes
;; Expected: 73712 4674890
(define (queens n)
  (let ((cols (make-vector n #f))
        (diag1 (make-vector (* 2 n) #f))
        (diag2 (make-vector (* 2 n) #f)))
    (let place ((row 0))
      (if (= row n)
          (cons 1 1)
          (let try ((col 0) (solutions 0) (nodes 1))
            (if (= col n)
                (cons solutions nodes)
                (let ((d1 (+ row col))
                      (d2 (+ (- row col) n)))
                  (if (or (vector-ref cols col)
                          (vector-ref diag1 d1)
                          (vector-ref diag2 d2))
                      (try (+ col 1) solutions nodes)
                      (begin
                        (vector-set! cols col #t)
                        (vector-set! diag1 d1 #t)
                        (vector-set! diag2 d2 #t)
                        (let ((r (place (+ row 1))))
                          (vector-set! cols col #f)
                          (vector-set! diag1 d1 #f)
                          (vector-set! diag2 d2 #f)
                          (try (+ col 1)
                               (+ solutions (car r))
                               (+ nodes (cdr r)))))))))))))

(let ((r (queens 13)))
  (display (car r))
  (display " ")
  (display (cdr r))
  (newline))
