// SSE-C against radosgw: SseCObjectClient ("ours") vs plain @aws-sdk/client-s3 PutObject/GetObject with
// the same SSE-C headers ("sdk"); goal >= 0.95. Peak RSS of a 1 GiB streamed put and get; goal <= 200 MB.
// Method: bench/s3-throughput-harness.ts.
//
//   CEPH_MEMSTORE_BYTES=6442450944 bash scripts/ceph-rgw.sh run npx tsx bench/sse-c.ts [--rounds 5] [--no-rss]
//
// BENCH_PART_MIB / BENCH_QUEUE_SIZE override SseCObjectClient's partSize / queueSize (defaults 6 MiB / 3)
// in the 1 GiB peak-RSS runs only (how the defaults were chosen); the throughput table always uses the defaults.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { SseCKey } from '../packages/s3-encryption-runtime/src/sse-c/sse-c-key';
import { SseCObjectClient } from '../packages/s3-encryption-runtime/src/sse-c/sse-c-object-client';
import { MiB, runThroughputBenchmark, type ThroughputSubject } from './s3-throughput-harness';

function tuning(): { partSize?: number; queueSize?: number } {
  const part = Number(process.env.BENCH_PART_MIB);
  const queue = Number(process.env.BENCH_QUEUE_SIZE);
  return { ...(part ? { partSize: part * MiB } : {}), ...(queue ? { queueSize: queue } : {}) };
}

runThroughputBenchmark((): ThroughputSubject => {
  const key = SseCKey.generate();
  const clients = new WeakMap<S3Client, SseCObjectClient>(); // one of ours per S3 client, as an application would hold it
  const ours = (client: S3Client) => clients.get(client) ?? clients.set(client, new SseCObjectClient({ client })).get(client)!;
  return {
    title: 'SSE-C throughput (SseCObjectClient vs SDK calls with the same SSE-C headers)',
    rssTitle: 'Peak RSS of a 1 GiB streamed transfer through SseCObjectClient (own process, plain node)',
    name: 'sse-c',
    secret: key.exportBytes().toString('base64'),
    sidesReadOwnObjects: false, // the same SSE-C objects read both ways
    async put(side, client, bucket, k, body) {
      if (side === 'ours') await ours(client).put({ bucket, key: k, body, sseKey: key });
      else await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body, ...key.requestParams() }));
    },
    async get(side, client, bucket, k) {
      if (side === 'ours') return (await ours(client).get({ bucket, key: k, sseKey: key })).body;
      return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: k, ...key.requestParams() }))).Body as Readable;
    },
    async transferOneGiB(op, client, bucket, k, secret, body) {
      const tuned = new SseCObjectClient({ client, ...tuning() });
      const sseKey = SseCKey.fromBase64(secret);
      if (op === 'put') return (await tuned.put({ bucket, key: k, body, sseKey })).size;
      let bytes = 0;
      for await (const chunk of (await tuned.get({ bucket, key: k, sseKey })).body) bytes += (chunk as Buffer).length;
      return bytes;
    },
  };
}, __filename);
