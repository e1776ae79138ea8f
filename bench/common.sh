# Helpers shared by the benchmark scripts (sourced, not run).

# Logs a message on stderr.
log() { echo "run.sh: $*" >&2; }

# Median of the numbers on standard input (one per line).
median() { sort -g | awk '{a[NR]=$1} END {printf "%.15g\n", (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

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

# start_echo_server SERVER PORT [PIN...]: makes the scratch directory WORK, starts the
# sigil-testserver binary SERVER on 127.0.0.1:PORT (0 = a free port) under the optional
# PIN command (e.g. `taskset -c 1`), waits until it is ready and sets URL to its echo
# endpoint. The server is stopped and WORK removed when the script exits.
start_echo_server() {
  local server="$1" port="$2"; shift 2
  WORK="$(mktemp -d)"
  SERVER_PID=""
  trap stop_echo_server EXIT
  trap 'exit 130' INT TERM
  "$@" "$server" --bind 127.0.0.1 --port "$port" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    grep -q '^READY' "$WORK/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; log "server died"; exit 1; }
    sleep 0.1
  done
  port="$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$WORK/server.out")"
  [[ -n "$port" ]] || { log "server did not print READY"; exit 1; }
  URL="ws://127.0.0.1:$port/echo"
}

# Stops the server started by start_echo_server and removes WORK.
stop_echo_server() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
