# Helpers shared by the benchmark scripts (sourced, not run).

# Logs a message on stderr.
log() { echo "run.sh: $*" >&2; }

# Median of the numbers on standard input (one per line).
median() { sort -g | awk '{a[NR]=$1} END {printf "%.15g\n", (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# ratio A B: A / B as "1.23x".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }

# met A B: "met" when A >= B, else "MISSED".
met() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b) ? "met" : "MISSED"}'; }

# runs_of KEY COL [DIV [FMT]]: column COL of $WORK/KEY.results (divided by DIV, printed
# with FMT, default %.0f) for every run, separated by " / ".
runs_of() { awk -v col="$2" -v div="${3:-1}" -v fmt="${4:-%.0f}" '{printf "%s" fmt, (NR > 1 ? " / " : ""), $col / div}' "$WORK/$1.results"; }

# Prints the date and machine lines every results table starts with.
print_machine() {
  local cpu
  cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)"
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sm)"
}

# Sets PYTHON (the real interpreter, not a pyenv shim) and WEBSOCKETS_VERSION, installing
# the `websockets` package with pip when `import $1` fails.
ensure_python_websockets() {
  command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
  PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
  if ! "$PYTHON" -c "import $1" 2>/dev/null; then
    log "installing the websockets package (pip)..."
    "$PYTHON" -m pip install --quiet websockets >&2
  fi
  WEBSOCKETS_VERSION="$("$PYTHON" -c 'import websockets; print(websockets.__version__)')"
}

# make_work: makes the scratch directory WORK; it is removed, and every server started
# with start_server stopped, when the script exits.
make_work() {
  WORK="$(mktemp -d)"
  SERVER_PIDS=()
  trap cleanup_work EXIT
  trap 'exit 130' INT TERM
}

cleanup_work() {
  local p
  for p in "${SERVER_PIDS[@]}"; do stop_server "$p"; done
  rm -rf "$WORK"
}

# start_server NAME CMD...: starts CMD in the background and waits until it prints where
# it listens: a line with "ws://HOST:PORT/" (the Sigil and Python echo servers) or
# sigil-testserver's "READY port=PORT". Sets SERVER_PID and SERVER_PORT.
start_server() {
  local name="$1"; shift
  # Truncated here, not by the child's redirection: a previous run's port must not be
  # read before the new server starts.
  : >"$WORK/$name.server.out"
  "$@" >>"$WORK/$name.server.out" 2>"$WORK/$name.server.err" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  for _ in $(seq 200); do
    SERVER_PORT="$(sed -n -e 's/^READY port=\([0-9]*\).*/\1/p' -e 's|.*ws://[^ ]*:\([0-9]*\)/.*|\1|p' \
      "$WORK/$name.server.out" | head -n 1)"
    [[ -n "$SERVER_PORT" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.server.err" >&2; log "$name server died"; exit 1; }
    sleep 0.1
  done
  log "$name server did not say where it listens"; exit 1
}

# stop_server PID: stops a server started by start_server.
stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# start_echo_server SERVER PORT [PIN...]: makes WORK (see make_work), starts the
# sigil-testserver binary SERVER on 127.0.0.1:PORT (0 = a free port) under the optional
# PIN command (e.g. `taskset -c 1`), waits until it is ready and sets URL to its echo
# endpoint.
start_echo_server() {
  local server="$1" port="$2"; shift 2
  make_work
  start_server testserver "$@" "$server" --bind 127.0.0.1 --port "$port"
  URL="ws://127.0.0.1:$SERVER_PORT/echo"
}
