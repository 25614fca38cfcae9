#!/usr/bin/env bash
# Installs what the test suite talks to, when it is missing:
#   ceph-mon ceph-osd radosgw  - a real S3 server for test/integ (Debian packages)
#   ruby-aws-sdk-s3 ruby-aws-sdk-kms - the AWS-written S3 encryption client for test/interop (Debian packages)
#   moto_server - AWS KMS and Secrets Manager for test/integ (pip: moto[server]; preinstalled on CI's image)
#   python3 - parses the generated Python bindings in test/package/language-bindings.test.ts (Debian package)
# Debian packages need root on Debian. Where something cannot be installed it explains and exits 0,
# unless CI=true (then it fails).
set -euo pipefail
failed=0

fail() { # could not install something here: fatal only under CI=true
  echo "install-test-packages: $*" >&2
  [ "$failed" = 2 ] || failed=1
}

broken() { # an install was attempted and failed: always fatal
  echo "install-test-packages: $*" >&2
  failed=2
}

install_debian_packages() {
  local packages=(ceph-mon ceph-osd radosgw openssl curl uuid-runtime ruby ruby-aws-sdk-s3 ruby-aws-sdk-kms python3)
  local missing=() p why=""
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then why="apt-get not found (not Debian)"
  elif [ "$(id -u)" -ne 0 ]; then why="not root"
  fi
  if [ -n "$why" ]; then
    fail "cannot install ${missing[*]}: $why"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "${APT_UPDATE:-1}" = "1" ] && ! apt-get update -qq; then
    broken "apt-get update failed (network or sources.list?); needed: ${missing[*]}"
    return 0
  fi
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    broken "apt-get install failed for ${missing[*]} (see apt's errors above; Debian 12 has them all in main)"
  fi
}

# moto is not in Debian's archive: pip (or pipx) installs it.
install_moto() {
  command -v moto_server >/dev/null 2>&1 && return 0
  local pip=()
  if command -v pip >/dev/null 2>&1; then pip=(pip)
  elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then pip=(python3 -m pip)
  fi
  if [ ${#pip[@]} -eq 0 ]; then
    fail "moto_server is missing and there is no pip to install it: install Python 3 with pip, then pip install 'moto[server]' (or pipx install 'moto[server]')"
    return 0
  fi
  echo "install-test-packages: moto_server is missing; running ${pip[*]} install 'moto[server]'" >&2
  if ! "${pip[@]}" install --quiet --disable-pip-version-check --retries 2 --timeout 20 'moto[server]' >&2; then
    fail "${pip[*]} install 'moto[server]' failed (see pip's output above; offline, or an externally managed Python): install it in a virtualenv or with pipx install 'moto[server]', so that moto_server is on PATH"
    return 0
  fi
  hash -r
  command -v moto_server >/dev/null 2>&1 ||
    fail "pip installed moto, but moto_server is not on PATH (add pip's scripts directory, e.g. ~/.local/bin, to PATH)"
}

install_debian_packages
install_moto
if [ "$failed" = 2 ] || { [ "$failed" = 1 ] && [ "${CI:-}" = "true" ]; }; then exit 1; fi
exit 0
