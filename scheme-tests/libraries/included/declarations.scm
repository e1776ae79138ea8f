; Library declarations, included with include-library-declarations.
(export lib-f)
(begin (define (lib-f) 'from-declarations))
