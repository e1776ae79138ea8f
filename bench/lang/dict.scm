;; dict: association lists and hash tables with symbol and string keys. Each
;; round looks up every word of a 40-word text in a 16-entry symbol alist
;; (assq) and in a 16-entry string alist (assoc, equal? on strings), and counts
;; the words in an equal? hash table keyed by strings built with string-append
;; (400 distinct keys). Guile: its native hash tables (hash-ref /
;; hash-set! / hash-count), which hash strings by content like equal?.
;; Prints: the alist sum, the number of distinct keys, and the count of "the-7"
;; Expected: 12880000 400 6400
(define symbols
  '((the . 1) (quick . 2) (brown . 3) (fox . 4) (jumps . 5) (over . 6)
    (lazy . 7) (dog . 8) (and . 9) (runs . 10) (away . 11) (from . 12)
    (a . 13) (red . 14) (hen . 15) (cat . 16)))

(define strings
  (map (lambda (p) (cons (symbol->string (car p)) (cdr p))) symbols))

(define text
  '(the quick brown fox jumps over the lazy dog and the dog runs away from
    the fox and a red hen jumps over a lazy cat and the cat runs from the red
    fox and the hen runs away over the brown dog))

(define text-strings (map symbol->string text))

(define suffixes
  (let loop ((i 0) (acc '()))
    (if (= i 25) (reverse acc) (loop (+ i 1) (cons (number->string i) acc)))))

(define (run rounds)
  (let ((table (make-hash-table)))
    (let loop ((r 0) (sum 0) (sufs suffixes))
      (if (= r rounds)
          (begin
            (display sum)
            (display " ")
            (display (hash-count (lambda (k v) #t) table))
            (display " ")
            (display (hash-ref table "the-7" 0))
            (newline))
          (let words ((ws text) (ss text-strings) (sum sum))
            (if (null? ws)
                (loop (+ r 1) sum (if (null? (cdr sufs)) suffixes (cdr sufs)))
                (let ((key (string-append (car ss) "-" (car sufs))))
                  (hash-set! table key (+ 1 (hash-ref table key 0)))
                  (words (cdr ws) (cdr ss)
                         (+ sum
                            (cdr (assq (car ws) symbols))
                            (cdr (assoc (car ss) strings)))))))))))

(run 20000)
