// SSE-C against radosgw: SseCObjectClient ("ours"; with --before DIR also the older checkout's, "before") vs
// plain @aws-sdk/client-s3 PutObject/GetObject with the same SSE-C headers ("sdk"); issue 14's goal: ours
// >= 0.9x sdk. Peak RSS of a 1 GiB streamed put and get; goal <= 200 MB. Method: bench/s3-throughput-harness.ts.
//
//   CEPH_MEMSTORE_BYTES=6442450944 bash scripts/ceph-rgw.sh run npx tsx bench/sse-c.ts [--rounds 5] [--no-rss]
//        [--before ../before-checkout] [--stat median|best]
//
// BENCH_PART_MIB / BENCH_QUEUE_SIZE override SseCObjectClient's partSize / queueSize (defaults 6 MiB / 3)
// in the 1 GiB peak-RSS runs only (how the defaults were chosen); the throughput table always uses the defaults.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MiB, type RuntimeSide, runThroughputBenchmark, runtimeOf } from './s3-throughput-harness';

/** What the benchmark uses from a runtime (the same names and relative paths in both layouts). */
type SseCRuntime = typeof import('../packages/s3-encryption-runtime/src/sse-c/sse-c-object-client') & typeof import('../packages/s3-encryption-runtime/src/sse-c/sse-c-key');
type SseCObjectClient = InstanceType<SseCRuntime['SseCObjectClient']>;

function tuning(): { partSize?: number; queueSize?: number } {
  const part = Number(process.env.BENCH_PART_MIB);
  const queue = Number(process.env.BENCH_QUEUE_SIZE);
  return { ...(part ? { partSize: part * MiB } : {}), ...(queue ? { queueSize: queue } : {}) };
}

runThroughputBenchmark<SseCRuntime>({
  name: 'sse-c',
  runtimeExports: [
    "export { SseCObjectClient } from './sse-c/sse-c-object-client';",
    "export { SseCKey } from './sse-c/sse-c-key';",
  ].join('\n'),
  subject(runtimes, secret) {
    // the plain SDK side: the three SSE-C headers as the S3 documentation gives them
    const keyBytes = Buffer.from(secret, 'base64');
    const sdkParams = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: secret, SSECustomerKeyMD5: createHash('md5').update(keyBytes).digest('base64') };
    const keys: Partial<Record<RuntimeSide, ReturnType<SseCRuntime['SseCKey']['fromBase64']>>> = {};
    const keyOf = (side: RuntimeSide) => (keys[side] ??= runtimeOf(runtimes, side).SseCKey.fromBase64(secret));
    // one of ours per S3 client and side, as an application would hold it
    const clients: Record<RuntimeSide, WeakMap<S3Client, SseCObjectClient>> = { ours: new WeakMap(), before: new WeakMap() };
    const clientOf = (side: RuntimeSide, client: S3Client) => {
      const known = clients[side].get(client);
      if (known) return known;
      const made = new (runtimeOf(runtimes, side).SseCObjectClient)({ client });
      clients[side].set(client, made);
      return made;
    };
    return {
      title: 'SSE-C throughput (SseCObjectClient vs SDK calls with the same SSE-C headers)',
      rssTitle: 'Peak RSS of a 1 GiB streamed transfer through SseCObjectClient (own process, plain node)',
      sidesReadOwnObjects: false, // the same SSE-C objects read every way
      async put(side, client, bucket, k, body) {
        if (side === 'sdk') await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body, ...sdkParams }));
        else await clientOf(side, client).put({ bucket, key: k, body, sseKey: keyOf(side) });
      },
      async get(side, client, bucket, k) {
        if (side === 'sdk') return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: k, ...sdkParams }))).Body as Readable;
        return (await clientOf(side, client).get({ bucket, key: k, sseKey: keyOf(side) })).body;
      },
      async transferOneGiB(side, op, client, bucket, k, body) {
        const tuned = new (runtimeOf(runtimes, side).SseCObjectClient)({ client, ...tuning() });
        if (op === 'put') return (await tuned.put({ bucket, key: k, body, sseKey: keyOf(side) })).size;
        let bytes = 0;
        for await (const chunk of (await tuned.get({ bucket, key: k, sseKey: keyOf(side) })).body) bytes += (chunk as Buffer).length;
        return bytes;
      },
    };
  },
}, __filename);
