; Loaded into an environment of its own: these definitions stay there.
(import (scheme write))
(define env-value (* 6 7))
(define (env-show) (write (list 'env-value env-value)))
