; Loaded by load_form_by_form.sgl: each form runs before the next is read, so the forms
; before the syntax error on line 13 run, and a macro sees what earlier forms defined.
(define (helper x) (* x 10))
(define-syntax twice-helper
  (syntax-rules () ((_ x) (helper (helper x)))))
(display (twice-helper 2))
(newline)
(define-syntax define-getter
  (syntax-rules () ((_ name value) (define-syntax name (syntax-rules () ((_) value))))))
(define-getter answer 42)
(display (answer))
(newline)
(if)
(define after-the-error 'defined)
