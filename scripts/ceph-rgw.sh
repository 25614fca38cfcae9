#!/usr/bin/env bash
# A real S3 server for the integration tests: Ceph radosgw (Debian's Pacific build) on 127.0.0.1.
# One mon, one memstore OSD (data in RAM), no mgr, no cephx; radosgw (beast) on http and https
# with a self-signed certificate (IP SAN 127.0.0.1); two S3 users.
#
#   scripts/ceph-rgw.sh start        boot it (installs the Debian packages when missing; needs root)
#   scripts/ceph-rgw.sh env          print `export S3_...` lines for a running server
#   scripts/ceph-rgw.sh stop         stop exactly the processes `start` recorded (rgw, then osd, then mon)
#   scripts/ceph-rgw.sh status       say whether the recorded processes are alive
#   scripts/ceph-rgw.sh run CMD...   start, export the env, run CMD, always stop; exit with CMD's status
#
# When radosgw cannot run here (not Debian, not root, packages missing, a port taken, a daemon failing),
# `run` still runs CMD, with S3_UNAVAILABLE_REASON set: the integration suite prints it and skips,
# except under CI=true where it fails (test/integ/support/s3-test-server.ts).
#
# Exported to the command: S3_ENDPOINT (https), S3_HTTP_ENDPOINT, S3_CA_CERT (PEM path), S3_REGION,
# S3_ACCESS_KEY/S3_SECRET_KEY (user "owner"), S3_ACCESS_KEY_2/S3_SECRET_KEY_2 (user "other"),
# S3_KMS_KEY_IDS (keys of rgw's `testing` SSE-KMS backend), S3_SERVER=ceph-radosgw.
#
# Knobs (environment):
#   CEPH_RGW_DIR            state directory, wiped on start          (default: <repo>/.ceph-rgw)
#   RGW_HTTP_PORT           http port                                (default: 7480)
#   RGW_HTTPS_PORT          https port                               (default: 7443)
#   MON_PORT_V2/MON_PORT_V1 mon ports                                (default: 3300/6789; the OSD binds 6800-7300)
#   CEPH_MEMSTORE_BYTES     OSD capacity; RAM use follows stored data (default: 4 GiB)
#   RGW_CRYPT_REQUIRE_SSL   true = SSE-C/SSE-KMS only over https, as on AWS (default: true)
#   FAST_STOP               1 = stop with SIGKILL                    (default: 0)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="${CEPH_RGW_DIR:-$ROOT/.ceph-rgw}"
HTTP_PORT="${RGW_HTTP_PORT:-7480}"
HTTPS_PORT="${RGW_HTTPS_PORT:-7443}"
MON_V2="${MON_PORT_V2:-3300}"
MON_V1="${MON_PORT_V1:-6789}"
MEMSTORE_BYTES="${CEPH_MEMSTORE_BYTES:-4294967296}"
REQUIRE_SSL="${RGW_CRYPT_REQUIRE_SSL:-true}"
# Fixed test credentials: the server only listens on loopback and lives for one test run.
OWNER_AK=S3ECOWNERACCESSKEY01
OWNER_SK=s3ec-owner-secret-key-for-local-radosgw-only
OTHER_AK=S3ECOTHERACCESSKEY02
OTHER_SK=s3ec-other-secret-key-for-local-radosgw-only
KMS_KEYS="testkey-1=a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s= testkey-2=S0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0s="
DAEMONS_STOP_ORDER=(rgw osd mon) # rgw still talks to the osd while exiting: stop it first
BINARIES=(ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph openssl curl uuidgen)

log() { echo "ceph-rgw: $*" >&2; }
die() { log "$*"; exit 1; }

comm_of() { # daemon name -> the executable name /proc shows
  case "$1" in mon) echo ceph-mon ;; osd) echo ceph-osd ;; rgw) echo radosgw ;; esac
}

# Alive = the PID exists, runs the expected executable (not a recycled PID) and is not a zombie.
alive() {
  local pid="$1" comm="$2" state
  [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  state="$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

recorded_pid() { # daemon name -> recorded PID (empty if none)
  [ -f "$D/pids" ] || return 0
  awk -v n="$1" '$1 == n { print $2 }' "$D/pids" | tail -n 1
}

any_alive() {
  local n pid
  for n in "${DAEMONS_STOP_ORDER[@]}"; do
    pid="$(recorded_pid "$n")"
    [ -n "$pid" ] && alive "$pid" "$(comm_of "$n")" && return 0
  done
  return 1
}

stop_one() {
  local n="$1" pid comm i
  pid="$(recorded_pid "$n")"
  [ -n "$pid" ] || return 0
  comm="$(comm_of "$n")"
  alive "$pid" "$comm" || return 0
  if [ "${FAST_STOP:-0}" = 1 ]; then kill -KILL "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
  for i in $(seq 1 200); do # up to 10 s, then SIGKILL
    alive "$pid" "$comm" || return 0
    sleep 0.05
  done
  log "$n (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do alive "$pid" "$comm" || return 0; sleep 0.05; done
  log "$n (pid $pid) is still alive after SIGKILL"
}

cmd_stop() {
  local n
  [ -f "$D/pids" ] || return 0
  for n in "${DAEMONS_STOP_ORDER[@]}"; do stop_one "$n"; done
  rm -f "$D/pids" "$D/env"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

missing_binaries() {
  local b out=()
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || out+=("$b"); done
  echo "${out[*]}"
}

# Prints why radosgw cannot run here (empty if it can); installs the packages when it may.
unavailable_reason() {
  local missing
  missing="$(missing_binaries)"
  if [ -n "$missing" ]; then
    bash "$ROOT/scripts/install-test-packages.sh" >&2 || true
    missing="$(missing_binaries)"
  fi
  if [ -n "$missing" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "radosgw is not installed ($missing missing) and this is not Debian (no apt-get): install ceph-mon ceph-osd radosgw, or run on Debian 12"
    elif [ "$(id -u)" -ne 0 ]; then
      echo "radosgw is not installed ($missing missing) and installing it needs root: run 'sudo bash scripts/install-test-packages.sh' once"
    else
      echo "radosgw is not installed ($missing missing) and 'bash scripts/install-test-packages.sh' did not install it (see its output)"
    fi
  elif [ "$(id -u)" -ne 0 ] && [ ! -w "$(dirname "$D")" ]; then
    echo "cannot write the state directory $D: set CEPH_RGW_DIR to a writable directory"
  fi
}

check_daemons() { # a spawned daemon that exited will not come up: say so now, with its last log line
  local n pid
  for n in "${DAEMONS_STOP_ORDER[@]}"; do
    pid="$(recorded_pid "$n")"
    if [ -n "$pid" ] && ! alive "$pid" "$(comm_of "$n")"; then
      die "$n exited during start: $(grep -hv '^\s*$' "$D/log/$n.out" "$D"/log/*"$n"*.log 2>/dev/null | tail -n 1 | cut -c1-300) (logs: $D/log)"
    fi
  done
}

wait_for() { # seconds, description, command...
  local secs="$1" what="$2" i
  shift 2
  for i in $(seq 1 $((secs * 20))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    check_daemons
    sleep 0.05
  done
  die "timed out after ${secs}s waiting for $what (logs: $D/log)"
}

spawn() { # name, command...: a foreground daemon in its own session, PID recorded
  local n="$1"
  shift
  setsid "$@" >"$D/log/$n.out" 2>&1 </dev/null &
  echo "$n $!" >>"$D/pids"
}

osd_up() { "${CEPH[@]}" osd dump 2>/dev/null | grep -q '^osd\.0 up'; }

write_conf() {
  cat >"$D/ceph.conf" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
# loopback only and lives for one test run: no cephx, no keyrings
auth cluster required = none
auth service required = none
auth client required = none
keyring = /dev/null
run dir = $D/run
admin socket = $D/run/\$cluster-\$name.asok
log file = $D/log/\$name.log
mon cluster log file = $D/log/cluster.log
crash dir = $D/crash
# one OSD on one host
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
osd objectstore = memstore
# commit mon updates (pool creation, osd boot) quickly instead of once a second: boot ~2 s, not ~13 s
paxos propose interval = 0.05
paxos min wait = 0.01

[mon.a]
mon data = $D/mon/a

[osd.0]
osd data = $D/osd/0
memstore device bytes = $MEMSTORE_BYTES
osd class load list = *
osd class default list = *

[client.rgw.local]
# rgw defaults to ms_mon_client_mode=secure, which cannot be negotiated with auth=none
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$HTTP_PORT ssl_endpoint=127.0.0.1:$HTTPS_PORT ssl_certificate=$D/tls/rgw.crt ssl_private_key=$D/tls/rgw.key
rgw thread pool size = 64
rgw crypt require ssl = $REQUIRE_SSL
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = $KMS_KEYS
# memstore keeps data in RAM: collect the tails of deleted/overwritten objects within seconds, not hours
rgw gc obj min wait = 5
rgw gc processor period = 5
EOF
}

write_env() {
  cat >"$D/env" <<EOF
export S3_SERVER=ceph-radosgw
export S3_ENDPOINT=https://127.0.0.1:$HTTPS_PORT
export S3_HTTP_ENDPOINT=http://127.0.0.1:$HTTP_PORT
export S3_CA_CERT=$D/tls/rgw.crt
export S3_REGION=us-east-1
export S3_ACCESS_KEY=$OWNER_AK
export S3_SECRET_KEY=$OWNER_SK
export S3_ACCESS_KEY_2=$OTHER_AK
export S3_SECRET_KEY_2=$OTHER_SK
export S3_KMS_KEY_IDS="testkey-1 testkey-2"
export S3_CRYPT_REQUIRE_SSL=$REQUIRE_SSL
EOF
}

cmd_start() {
  local reason p started
  started=$(date +%s.%N)
  reason="$(unavailable_reason)"
  [ -z "$reason" ] || die "$reason"
  if any_alive; then
    die "a radosgw started from $D is still running; run 'bash scripts/ceph-rgw.sh stop' first, or use another CEPH_RGW_DIR and other ports (RGW_HTTP_PORT, RGW_HTTPS_PORT, MON_PORT_V2, MON_PORT_V1)"
  fi
  for p in "$HTTP_PORT" "$HTTPS_PORT" "$MON_V2" "$MON_V1"; do
    port_busy "$p" && die "port 127.0.0.1:$p is already in use (another radosgw?); free it or choose other ports with RGW_HTTP_PORT, RGW_HTTPS_PORT, MON_PORT_V2, MON_PORT_V1"
  done
  rm -rf "$D"
  mkdir -p "$D"/{run,log,crash,tls,mon/a,osd/0}
  : >"$D/pids"
  trap 'log "start failed; stopping what was started"; cmd_stop' EXIT
  FSID="$(uuidgen)"
  export CEPH_CONF="$D/ceph.conf"
  CEPH=(ceph --connect-timeout 10)

  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$D/tls/rgw.key" -out "$D/tls/rgw.crt" >"$D/log/openssl.out" 2>&1
  write_conf

  monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]" "$D/monmap" >"$D/log/monmaptool.out" 2>&1
  ceph-mon --mkfs -i a --monmap "$D/monmap" >"$D/log/mon-mkfs.out" 2>&1
  spawn mon ceph-mon -f -i a
  wait_for 30 "the mon" "${CEPH[@]}" mon stat

  local osd_uuid
  osd_uuid="$(uuidgen)"
  [ "$("${CEPH[@]}" osd new "$osd_uuid" 2>"$D/log/osd-new.out")" = 0 ] || die "ceph osd new did not give id 0 (logs: $D/log)"
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >"$D/log/osd-mkfs.out" 2>&1
  spawn osd ceph-osd -f -i 0
  wait_for 60 "the osd" osd_up

  radosgw-admin user create --uid owner --display-name owner --access-key "$OWNER_AK" --secret "$OWNER_SK" >"$D/log/user-owner.out" 2>&1
  radosgw-admin user create --uid other --display-name other --access-key "$OTHER_AK" --secret "$OTHER_SK" >"$D/log/user-other.out" 2>&1
  spawn rgw radosgw -f -n client.rgw.local
  wait_for 20 "radosgw on http://127.0.0.1:$HTTP_PORT" curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/"
  wait_for 30 "radosgw on https://127.0.0.1:$HTTPS_PORT" curl -fsS -o /dev/null --cacert "$D/tls/rgw.crt" "https://127.0.0.1:$HTTPS_PORT/"
  trap - EXIT
  write_env
  log "radosgw ready in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s: https://127.0.0.1:$HTTPS_PORT and http://127.0.0.1:$HTTP_PORT (state: $D)"
}

cmd_env() {
  [ -f "$D/env" ] && any_alive || die "no running radosgw recorded in $D; run 'bash scripts/ceph-rgw.sh start'"
  cat "$D/env"
}

cmd_status() {
  local n pid
  for n in "${DAEMONS_STOP_ORDER[@]}"; do
    pid="$(recorded_pid "$n")"
    if [ -n "$pid" ] && alive "$pid" "$(comm_of "$n")"; then echo "$n: running (pid $pid)"; else echo "$n: not running"; fi
  done
}

# shellcheck source=lib/run-beside-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/run-beside-server.sh"

cmd_run() {
  run_beside_server "${BASH_SOURCE[0]}" radosgw ceph-rgw S3_UNAVAILABLE_REASON 'S3 server' -- "$@"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  run) shift; cmd_run "$@" ;;
  *) die "usage: $0 start|stop|env|status|run <command...>" ;;
esac
