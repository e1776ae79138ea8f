# The language benchmarks (sourced by bench/run.sh and bench/callgrind.sh, not run):
# their groups, in the order of the results table, and the output each must print.
# A new program NAME needs bench/lang/NAME.{sgl,scm,py}, an entry in a group and in
# EXPECTED here, and a reduced input in bench/callgrind.sh.

GROUP_NAMES=(float list vector table record closure callcc fixnum string)
declare -A BENCH_GROUPS=(
  [float]="mandel nbody fft"
  [list]="takl msort deriv"
  [vector]="vector matrix life queens"
  [table]="assoc-hash dict"
  [record]="records"
  [closure]="closures cpstak"
  [callcc]="ctak fringe"
  [fixnum]="fib tak ack"
  [string]="strings textio"
)

declare -A EXPECTED=(
  [mandel]="27654979"
  [nbody]="-169075164 -169079860"
  [fft]="156 7002"
  [takl]="7"
  [msort]="165382878 51275735442"
  [deriv]="2100000 (+ (* (* 3 x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* a x x) (+ 0 (/ 1 x) (/ 1 x))) (* (* b x) (/ 1 x)) 0)"
  [vector]="49999995000000"
  [matrix]="797993062 22690953211"
  [life]="131 188156"
  [queens]="73712 4674890"
  [assoc-hash]="3900000 1000 1000"
  [dict]="12880000 400 6400"
  [records]="203930 19792 34"
  [closures]="5999998 2000000"
  [cpstak]="7"
  [ctak]="7"
  [fringe]="59950 50"
  [fib]="832040"
  [tak]="7"
  [ack]="4093"
  [strings]="2438890 630037397"
  [textio]="600000 3645200 163384083"
)

# Every benchmark in table order, and the group of each.
ALL_BENCHES=()
declare -A GROUP_OF=()
for g in "${GROUP_NAMES[@]}"; do
  for b in ${BENCH_GROUPS[$g]}; do ALL_BENCHES+=("$b"); GROUP_OF[$b]=$g; done
done
