; Included with include-ci: read with case folding.
(DEFINE Shouted 'YES)
