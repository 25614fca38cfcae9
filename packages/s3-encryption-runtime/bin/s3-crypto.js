#!/usr/bin/env node
'use strict';
// The `s3-crypto` command: the compiled CLI (npm ci builds it in a clone; the published package ships it).
require('../dist/cli/main.js').main();
