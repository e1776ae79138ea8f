# Helpers shared by the benchmark scripts (sourced, not run).

# Logs a message on stderr.
log() { echo "run.sh: $*" >&2; }

# Median of the numbers on standard input (one per line).
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Prints the date and machine lines every results table starts with.
print_machine() {
  local cpu
  cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)"
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sm)"
}
