#!/usr/bin/env bash
# `npm test`: build (runtime package, construct library with jsii, handler bundles), type-check, lint
# (ESLint on both packages), then every jest project (unit, runtime, interop, integ, package; the
# package project also generates the Python, Java, .NET and Go bindings with jsii-pacmak). The
# integration project needs a real S3 server and AWS KMS / Secrets Manager, so jest runs inside
# scripts/ceph-rgw.sh (radosgw on 127.0.0.1)
# inside scripts/moto.sh (the moto server on 127.0.0.1); each stops exactly what it started.
# Extra args go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_VERSION_CHECK=1
npm run --silent build
npx tsc --noEmit -p tsconfig.json
npm run --silent lint
exec bash scripts/ceph-rgw.sh run bash scripts/moto.sh run npx jest --ci "$@"
