#!/usr/bin/env bash
# Every figure of BENCHMARKS.md in one run, this checkout ("ours"/"now") against an older checkout ("before")
# and each benchmark's own baseline, in the same run. Run it on a quiet machine:
#
#   bash bench/run-all.sh --before ../before-checkout            # the full run (about 30 minutes on 2 cores)
#   bash bench/run-all.sh --before ../before-checkout --quick    # smoke test: tiny sizes, one round (~3 minutes)
#
# Options:
#   --before DIR     a checkout of the single-package layout (runtime in DIR/lib/runtime) with npm ci done;
#                    its dist/ is built here when missing (the older CLI runs as it shipped). Required.
#   --stat S         best (default: each side's best round) or median
#   --only LIST      comma list of parts: synth, client-side, cli, s3 (default: all)
#   --no-build       skip `npm run build` here (the CLI benchmark runs packages/s3-encryption-runtime/dist,
#                    the synth cases load assets/handlers)
#   --quick          tiny sizes and one round: checks that every benchmark runs, the numbers mean nothing
#
# Output: the markdown of every table, each under the exact command that produced it, on stdout and in
# bench/results/run-all-<time>.md; the benchmarks' progress lines on stderr. A benchmark that fails is
# marked FAILED in the report and the run goes on; the exit status is then 1. radosgw runs through
# scripts/ceph-rgw.sh on its default ports unless RGW_HTTP_PORT, RGW_HTTPS_PORT, MON_PORT_V2, MON_PORT_V1 are set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BEFORE=""
STAT=best
ONLY="synth,client-side,cli,s3"
BUILD=1
QUICK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --before) BEFORE="$(cd "$2" && pwd)"; shift 2 ;;
    --stat) STAT="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --quick) QUICK=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$BEFORE" ] || { echo "run-all.sh: --before DIR is required (a checkout of the state to compare against)" >&2; exit 2; }
[ -f "$BEFORE/lib/runtime/client-side/client-side-encryption.ts" ] || { echo "run-all.sh: $BEFORE has no lib/runtime (the single-package layout)" >&2; exit 2; }
[ -x "$BEFORE/node_modules/.bin/tsx" ] || { echo "run-all.sh: run npm ci in $BEFORE first" >&2; exit 2; }
case "$STAT" in best|median) ;; *) echo "run-all.sh: --stat best|median" >&2; exit 2 ;; esac
part() { [[ ",$ONLY," == *",$1,"* ]]; }

mkdir -p bench/results
REPORT="bench/results/run-all-$(date -u +%Y%m%dT%H%M%SZ).md"
: > "$REPORT"
out() { printf '%s\n' "$*" | tee -a "$REPORT"; }

# One benchmark: its heading and exact command in the report, then its tables (stdout); progress goes to stderr.
bench() {
  local title="$1"; shift
  out ""
  out "### $title"
  out ""
  out '```sh'
  out "$*"
  out '```'
  out ""
  local started=$SECONDS
  if ! "$@" | tee -a "$REPORT"; then
    out ""
    out "**FAILED**: the command above exited non-zero (its error is on stderr); the run went on."
    FAILED="$FAILED, $title"
  fi
  echo "run-all.sh: '$title' took $((SECONDS - started)) s" >&2
}
FAILED=""

if [ "$QUICK" = 1 ]; then
  SYNTH_RUNS=(--runs 1 --sizes 1); SYNTH_RUNS_LONG=(--runs 1 --sizes 1); SYNTH_VALIDATION=(--runs 1 --sizes 1)
  CORE=(--runs 1 --sizes 1MiB,8MiB); CORE_YARDSTICK=(--runs 1 --sizes 8MiB)
  CLI=(--size-mib 8 --rounds 1); S3=(--rounds 1 --rss-mib 16 --rss-runs 1)
else
  SYNTH_RUNS=(--runs 5); SYNTH_RUNS_LONG=(--runs 7); SYNTH_VALIDATION=(--runs 3)
  CORE=(--runs 5 --sizes 1MiB,64MiB,256MiB,1GiB); CORE_YARDSTICK=(--runs 7 --sizes 256MiB,1GiB)
  CLI=(--size-mib 1024 --rounds 5); S3=(--rounds 9)
fi

if [ "$BUILD" = 1 ]; then
  echo "run-all.sh: npm run build (the CLI benchmark runs the compiled CLI; synth loads the handler bundles)" >&2
  npm run build >&2
fi
if part cli && [ ! -f "$BEFORE/dist/lib/runtime/cli/main.js" ]; then
  echo "run-all.sh: building $BEFORE/dist (the older CLI as it shipped)" >&2
  (cd "$BEFORE" && npm run build >&2)
fi

started_all=$SECONDS
out "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
out ""
out "- now: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo ' (uncommitted changes)'); before: $(git -C "$BEFORE" rev-parse --short HEAD) ($BEFORE)"
out "- node $(node --version), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
out "- statistic: $STAT of the rounds; every case in its own process, order rotating between rounds$([ "$QUICK" = 1 ] && echo '; QUICK SMOKE RUN: the numbers mean nothing')"

if part synth; then
  out ""
  out "## Synth (issue 12: now/before <= 1.05; issue 13: golden path with vs without EncryptionAudit)"
  bench "EncryptedBucket" npx tsx bench/synth.ts --case encrypted-buckets "${SYNTH_RUNS_LONG[@]}" --stat "$STAT" --before "$BEFORE"
  bench "EncryptedBucket, CloudFormation validation on" npx tsx bench/synth.ts --case encrypted-buckets --validation "${SYNTH_VALIDATION[@]}" --stat "$STAT" --before "$BEFORE"
  bench "EncryptedBucket against the same template by hand" npx tsx bench/synth.ts --case encrypted-buckets-same-template "${SYNTH_RUNS[@]}" --stat "$STAT" --before "$BEFORE"
  bench "Replicated pairs" npx tsx bench/synth.ts --case replicated-pairs "${SYNTH_RUNS[@]}" --stat "$STAT" --before "$BEFORE"
  bench "Guardrails" npx tsx bench/synth.ts --case guardrails "${SYNTH_RUNS[@]}" --stat "$STAT" --before "$BEFORE"
  bench "Golden path with and without EncryptionAudit" npx tsx bench/synth.ts --case golden-path-audit "${SYNTH_RUNS_LONG[@]}" --stat "$STAT"
fi

if part client-side; then
  out ""
  out "## Client-side encryption core (issue 14: ours >= 0.95x a bare node:crypto loop at 256 MiB and 1 GiB)"
  bench "Issue 14 yardstick: every stream fed 1 MiB chunks, as the loop" npx tsx bench/client-side.ts "${CORE_YARDSTICK[@]}" --chunk 1MiB --impls ours,before,loop --stat "$STAT" --before "$BEFORE"
  bench "All implementations, 64 KiB stream chunks (Node's file-stream default)" npx tsx bench/client-side.ts "${CORE[@]}" --stat "$STAT" --before "$BEFORE"
fi

if part cli; then
  out ""
  out "## CLI peak RSS (issue 14: 1 GiB encrypt and decrypt to a file <= 150 MB)"
  bench "s3-crypto encrypt / decrypt, file to file" npx tsx bench/cli-memory.ts "${CLI[@]}" --before "$BEFORE"
fi

if part s3; then
  out ""
  out "## Through radosgw (issue 14: SSE-C and client-side put/get >= 0.9x the unencrypted SDK put/get)"
  bench "SSE-C" env CEPH_MEMSTORE_BYTES=6442450944 bash scripts/ceph-rgw.sh run npx tsx bench/sse-c.ts "${S3[@]}" --stat "$STAT" --before "$BEFORE"
  bench "Client-side encryption" env CEPH_MEMSTORE_BYTES=6442450944 bash scripts/ceph-rgw.sh run npx tsx bench/client-side-s3.ts "${S3[@]}" --stat "$STAT" --before "$BEFORE"
fi

out ""
out "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); the whole run took $(( (SECONDS - started_all) / 60 )) min $(( (SECONDS - started_all) % 60 )) s."
echo "run-all.sh: report in $REPORT" >&2
if [ -n "$FAILED" ]; then
  echo "run-all.sh: FAILED: ${FAILED#, }" >&2
  exit 1
fi
