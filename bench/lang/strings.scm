;; strings: 200000 rounds of string-port writes and string-append.
;; Each round writes the round number and a word to a string output port, and
;; appends the word to a small string that is reset once it passes 60 chars
;; (so the work stays O(n)); a checksum folds in the small string's length.
;; Prints: <length of the port's string> <checksum>
;; Guile: write-string is R7RS, not in Guile's default environment.
(use-modules ((scheme base) #:select (write-string)))

(define words (vector "alpha" "beta" "gamma" "delta"))

(define (run n)
  (let ((p (open-output-string)))
    (let loop ((i 0) (s "") (sum 0))
      (if (= i n)
          (begin
            (display (string-length (get-output-string p)))
            (display " ")
            (display sum)
            (newline))
          (let ((w (vector-ref words (modulo i 4))))
            (write-string (number->string i) p)
            (write-string " " p)
            (write-string w p)
            (write-string "\n" p)
            (let* ((s2 (string-append s w))
                   (len (string-length s2))
                   (sum2 (modulo (+ (* sum 31) len) 1000000007)))
              (if (> len 60)
                  (loop (+ i 1) "" sum2)
                  (loop (+ i 1) s2 sum2))))))))

(run 200000)
