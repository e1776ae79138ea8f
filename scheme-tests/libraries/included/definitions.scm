; Included by include_forms.sgl.
(define included-x 42)
(define (included-f) (list 'f included-x))
