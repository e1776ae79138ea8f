;; textio: character I/O through string ports. A 36 452-character text is
;; built once; each round reads it back one character at a time with
;; read-char / peek-char from open-input-string, classifies the characters
;; (char-alphabetic?, char-whitespace?, char-numeric?), writes each word
;; capitalised (char-upcase / char-downcase) with write-char to an
;; open-output-string port, and folds char->integer of the output into a
;; checksum.
;; Prints: words, output length, and checksum over all rounds
;; Expected: 600000 3645200 163384083
(define words
  '#("Lorem" "ipsum" "dolor" "sit" "amet," "consectetur" "adipiscing" "elit;"
     "sed" "do" "eiusmod" "tempor" "incididunt" "ut" "labore" "et" "dolore"
     "magna" "aliqua." "Ut" "enim" "ad" "minim" "veniam" "1234" "42"))

(define (make-text n)
  (let ((out (open-output-string)))
    (do ((i 0 (+ i 1))) ((= i n))
      (display (vector-ref words (modulo (* i 7) (vector-length words))) out)
      (write-char (if (= (modulo i 11) 10) #\newline #\space) out))
    (get-output-string out)))

;; Copies the text to a string port, capitalising each word; returns
;; (words . output).
(define (capitalise text)
  (let ((in (open-input-string text))
        (out (open-output-string)))
    (let loop ((in-word #f) (count 0))
      (let ((c (read-char in)))
        (cond ((eof-object? c)
               (cons count (get-output-string out)))
              ((char-alphabetic? c)
               (write-char (if in-word (char-downcase c) (char-upcase c)) out)
               (loop #t (if in-word count (+ count 1))))
              ((char-numeric? c)
               (write-char c out)
               (if (and (not in-word) (char-numeric? (peek-char in)))
                   (write-char #\_ out))
               (loop #t (if in-word count (+ count 1))))
              ((char-whitespace? c)
               (write-char c out)
               (loop #f count))
              (else
               (write-char c out)
               (loop in-word count)))))))

(define (checksum s)
  (let ((n (string-length s)))
    (let loop ((i 0) (acc 0))
      (if (= i n)
          acc
          (loop (+ i 1) (modulo (+ (* acc 31) (char->integer (string-ref s i)))
                                1000000007))))))

(define (run rounds)
  (let ((text (make-text 6000)))
    (let loop ((r 0) (words 0) (len 0) (sum 0))
      (if (= r rounds)
          (begin
            (display words) (display " ") (display len) (display " ")
            (display sum) (newline))
          (let* ((result (capitalise text))
                 (out (cdr result)))
            (loop (+ r 1)
                  (+ words (car result))
                  (+ len (string-length out))
                  (modulo (+ sum (checksum out)) 1000000007)))))))

(run 100)
