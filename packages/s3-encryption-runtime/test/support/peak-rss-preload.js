'use strict';
// Preloaded (node --require) into a CLI process under test: at exit, writes the process's peak resident
// set size (VmHWM, in kB) to $S3_CRYPTO_TEST_PEAK_RSS_FILE. Exact, unlike polling /proc from outside,
// and per-process, unlike getrusage (whose maxrss on Linux survives execve from the parent).
const { readFileSync, writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.S3_CRYPTO_TEST_PEAK_RSS_FILE;
  if (!file) return;
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kb) writeFileSync(file, kb);
});
