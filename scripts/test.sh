#!/usr/bin/env bash
# `npm test`: build (runtime package, construct library, handler bundles), type-check, then every
# jest project (unit, runtime, interop, integ, package). The integration project needs a real S3
# server and AWS KMS / Secrets Manager, so jest runs inside scripts/ceph-rgw.sh (radosgw on 127.0.0.1)
# inside scripts/moto.sh (the moto server on 127.0.0.1); each stops exactly what it started.
# Extra args go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_VERSION_CHECK=1
npm run --silent build
npx tsc --noEmit -p tsconfig.json
exec bash scripts/ceph-rgw.sh run bash scripts/moto.sh run npx jest --ci "$@"
