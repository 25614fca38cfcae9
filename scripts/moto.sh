#!/usr/bin/env bash
# AWS KMS and Secrets Manager for the integration tests: the moto server (Python package `moto`, extra
# `server`) on 127.0.0.1, next to radosgw. One process, state in memory, gone when it stops.
#
#   scripts/moto.sh start        start it (tries `pip install 'moto[server]'` through install-test-packages.sh when missing)
#   scripts/moto.sh env          print the `export ...` lines for a running server
#   scripts/moto.sh stop         stop exactly the process `start` recorded
#   scripts/moto.sh status       say whether the recorded process is alive
#   scripts/moto.sh run CMD...   start, export the env, run CMD, always stop; exit with CMD's status
#
# When moto cannot run here (not installed, a port taken, the server failing), `run` still runs CMD, with
# MOTO_UNAVAILABLE_REASON set: the tests that need KMS or Secrets Manager print it and skip, except under
# CI=true where they fail (test/integ/support/moto-server.ts). Compose it with radosgw:
#   bash scripts/ceph-rgw.sh run bash scripts/moto.sh run npx jest --selectProjects integ
#
# Exported to the command: MOTO_ENDPOINT, AWS_ENDPOINT_URL_KMS and AWS_ENDPOINT_URL_SECRETS_MANAGER (the AWS
# SDKs' service-specific endpoint variables, so SDK clients built with defaults, e.g. inside the bundled
# handlers, reach moto), and dummy credentials AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (moto checks no
# signatures; dummy values keep real credentials of the shell away from the tests).
#
# Knobs (environment):
#   MOTO_PORT   port on 127.0.0.1                 (default: 5000)
#   MOTO_DIR    state directory (pid, log, env)    (default: <repo>/.moto)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="${MOTO_DIR:-$ROOT/.moto}"
PORT="${MOTO_PORT:-5000}"
ENDPOINT="http://127.0.0.1:$PORT"
INSTALL_HINT="install it with: pip install 'moto[server]' (or pipx install 'moto[server]'), so that moto_server is on PATH"

log() { echo "moto: $*" >&2; }
die() { log "$*"; exit 1; }

# Running = the PID exists and is not a zombie (while starting it may still be the shell or a pyenv shim
# on its way to exec moto_server).
running() {
  local state
  state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Alive = running and it is moto's server (the moto_server entry point, or python running it), not a recycled PID.
alive() {
  local comm
  comm="$(cat "/proc/$1/comm" 2>/dev/null)" || return 1
  case "$comm" in moto_server | python*) ;; *) return 1 ;; esac
  running "$1"
}

recorded_pid() { [ -f "$D/pid" ] && cat "$D/pid" || true; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints why moto cannot run here (empty if it can); tries to install it once when missing.
unavailable_reason() {
  if ! command -v moto_server >/dev/null 2>&1; then
    bash "$ROOT/scripts/install-test-packages.sh" >&2 || true
    hash -r
  fi
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "moto_server is not installed (needed for KMS and Secrets Manager): $INSTALL_HINT"
  elif [ ! -w "$(dirname "$D")" ]; then
    echo "cannot write the state directory $D: set MOTO_DIR to a writable directory"
  fi
}

cmd_stop() {
  local pid i
  pid="$(recorded_pid)"
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do # up to 10 s, then SIGKILL
      alive "$pid" || break
      sleep 0.05
    done
    if alive "$pid"; then
      log "moto_server (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$D/pid" "$D/env"
}

cmd_start() {
  local reason pid i started
  started=$(date +%s.%N)
  reason="$(unavailable_reason)"
  [ -z "$reason" ] || die "$reason"
  pid="$(recorded_pid)"
  if [ -n "$pid" ] && alive "$pid"; then
    die "a moto_server started from $D is still running (pid $pid); run 'bash scripts/moto.sh stop' first, or use another MOTO_DIR and MOTO_PORT"
  fi
  port_busy "$PORT" && die "port 127.0.0.1:$PORT is already in use (another moto?); free it or choose another with MOTO_PORT"
  mkdir -p "$D"
  rm -f "$D/pid" "$D/env"
  # its own session, so a Ctrl-C meant for the test run reaches it only through `stop`
  setsid moto_server -H 127.0.0.1 -p "$PORT" >"$D/moto.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$D/pid"
  for i in $(seq 1 600); do # up to 30 s; it is usually ready in 1-3 s
    if ! running "$pid"; then
      local last
      last="$(grep -v '^\s*$' "$D/moto.log" 2>/dev/null | tail -n 1 | cut -c1-300)"
      rm -f "$D/pid"
      die "moto_server exited during start: ${last:-no output} (log: $D/moto.log)"
    fi
    port_busy "$PORT" && alive "$pid" && break
    sleep 0.05
  done
  if ! port_busy "$PORT" || ! alive "$pid"; then
    cmd_stop
    die "moto_server did not listen on 127.0.0.1:$PORT within 30 s (log: $D/moto.log)"
  fi
  cat >"$D/env" <<EOF
export MOTO_ENDPOINT=$ENDPOINT
export AWS_ENDPOINT_URL_KMS=$ENDPOINT
export AWS_ENDPOINT_URL_SECRETS_MANAGER=$ENDPOINT
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
EOF
  log "moto_server ready in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s: $ENDPOINT (KMS, Secrets Manager; state: $D)"
}

cmd_env() {
  local pid
  pid="$(recorded_pid)"
  [ -f "$D/env" ] && [ -n "$pid" ] && alive "$pid" || die "no running moto_server recorded in $D; run 'bash scripts/moto.sh start'"
  cat "$D/env"
}

cmd_status() {
  local pid
  pid="$(recorded_pid)"
  if [ -n "$pid" ] && alive "$pid"; then echo "moto_server: running (pid $pid, $ENDPOINT)"; else echo "moto_server: not running"; fi
}

# shellcheck source=lib/run-beside-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/run-beside-server.sh"

cmd_run() {
  run_beside_server "${BASH_SOURCE[0]}" moto_server moto MOTO_UNAVAILABLE_REASON 'KMS / Secrets Manager emulator' -- "$@"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  run) shift; cmd_run "$@" ;;
  *) die "usage: $0 start|stop|env|status|run <command...>" ;;
esac
