# Shared by scripts/ceph-rgw.sh and scripts/moto.sh (sourced): the `run` command. Starts the server
# in a separate process (errexit is off inside an `if` condition, so a failed start comes back here
# as a reason instead of ending the run), exports its environment, runs the command, and always
# stops what it started. When the server cannot run, the command still runs with REASON_VAR set,
# and the test suite skips (or, under CI=true, fails) with that reason.
#
#   run_beside_server SCRIPT LABEL LOG_PREFIX REASON_VAR WHAT_IS_MISSING -- CMD...
# Needs the sourcing script's: D (state dir), log, die, unavailable_reason, cmd_stop.
run_beside_server() {
  local script="$1" label="$2" prefix="$3" reason_var="$4" missing="$5"
  shift 5
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "usage: $script run <command> [args...]"
  local status=0 reason err
  reason="$(unavailable_reason)"
  if [ -z "$reason" ]; then
    err="$D.start-error"
    mkdir -p "$(dirname "$err")"
    if bash "$script" start 2> >(tee "$err" >&2); then
      # shellcheck disable=SC1091
      . "$D/env"
    else
      sleep 0.1 # let tee flush
      reason="$label failed to start: $(grep -v "^$prefix: start failed" "$err" | tail -n 1 | sed -e "s/^$prefix: //")"
    fi
    rm -f "$err"
  fi
  if [ -n "$reason" ]; then
    export "$reason_var=$reason"
    log "no $missing for the integration tests: $reason"
  fi
  trap 'cmd_stop; exit 130' INT
  trap 'cmd_stop; exit 143' TERM
  "$@" || status=$?
  trap - INT TERM
  [ -n "$reason" ] || cmd_stop
  exit "$status"
}
