#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to, when they are missing:
#   ceph-mon ceph-osd radosgw  - a real S3 server for test/integ
#   ruby-aws-sdk-s3 ruby-aws-sdk-kms - the AWS-written S3 encryption client for test/interop
# Needs root on Debian. Elsewhere it explains and exits 0, unless CI=true (then it fails).
set -euo pipefail
packages=(ceph-mon ceph-osd radosgw openssl curl uuid-runtime ruby ruby-aws-sdk-s3 ruby-aws-sdk-kms)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
why=""
if ! command -v apt-get >/dev/null 2>&1; then why="apt-get not found (not Debian)"
elif [ "$(id -u)" -ne 0 ]; then why="not root"
fi
if [ -n "$why" ]; then
  echo "install-test-packages: cannot install ${missing[*]}: $why" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${APT_UPDATE:-1}" = "1" ] && ! apt-get update -qq; then
  echo "install-test-packages: apt-get update failed (network or sources.list?); needed: ${missing[*]}" >&2
  exit 1
fi
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "install-test-packages: apt-get install failed for ${missing[*]} (see apt's errors above; Debian 12 has them all in main)" >&2
  exit 1
fi
