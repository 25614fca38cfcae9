// Client-side encryption through radosgw: S3EncryptionClient ("ours": V3, raw AES keyring, its defaults:
// one PutObject up to 8 MiB, else multipart with 8 MiB parts, 4 in flight; gets with buffered authentication;
// with --before DIR also the older checkout's, "before") vs plain, unencrypted PutObject/GetObject ("sdk": the
// cost of not encrypting at all); issue 14's goal: ours >= 0.9x sdk. Peak RSS of a 1 GiB streamed put and get
// (delayed authentication). Method: bench/s3-throughput-harness.ts.
//
//   bash scripts/ceph-rgw.sh run npx tsx bench/client-side-s3.ts [--rounds 5] [--no-rss]
//        [--before ../before-checkout] [--stat median|best]
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type RuntimeSide, runThroughputBenchmark, runtimeOf } from './s3-throughput-harness';

/** What the benchmark uses from a runtime (the same names and relative paths in both layouts). */
type ClientSideRuntime = typeof import('../packages/s3-encryption-runtime/src/client-side/client-side-encryption')
  & typeof import('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring')
  & typeof import('../packages/s3-encryption-runtime/src/client-side/s3-encryption-client');
type S3EncryptionClient = InstanceType<ClientSideRuntime['S3EncryptionClient']>;

runThroughputBenchmark<ClientSideRuntime>({
  name: 'client-side-s3',
  runtimeExports: [
    "export { ClientSideEncryption } from './client-side/client-side-encryption';",
    "export { RawAesKeyring } from './client-side/keyrings/raw-aes-keyring';",
    "export { S3EncryptionClient } from './client-side/s3-encryption-client';",
  ].join('\n'),
  subject(runtimes, secret) {
    const encryptionClient = (side: RuntimeSide, client: S3Client, delayed: boolean): S3EncryptionClient => {
      const { ClientSideEncryption, RawAesKeyring, S3EncryptionClient } = runtimeOf(runtimes, side);
      return new S3EncryptionClient({
        client,
        encryption: new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: Buffer.from(secret, 'base64') }), enableDelayedAuthentication: delayed }),
      });
    };
    // one of ours per S3 client and side, as an application would hold it
    const clients: Record<RuntimeSide, WeakMap<S3Client, S3EncryptionClient>> = { ours: new WeakMap(), before: new WeakMap() };
    const clientOf = (side: RuntimeSide, client: S3Client) => {
      const known = clients[side].get(client);
      if (known) return known;
      const made = encryptionClient(side, client, false);
      clients[side].set(client, made);
      return made;
    };
    return {
      title: 'Client-side encryption (S3EncryptionClient, V3, raw AES) vs unencrypted puts/gets',
      rssTitle: 'Peak RSS of a 1 GiB streamed transfer through S3EncryptionClient (own process, plain node; get with delayed authentication)',
      sidesReadOwnObjects: true, // ciphertext and plaintext objects differ
      async put(side, client, bucket, k, body) {
        if (side === 'sdk') await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body }));
        else await clientOf(side, client).putObject({ bucket, key: k, body });
      },
      async get(side, client, bucket, k) {
        if (side === 'sdk') return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }))).Body as Readable;
        return (await clientOf(side, client).getObject({ bucket, key: k })).body;
      },
      async transferOneGiB(side, op, client, bucket, k, body) {
        const delayed = encryptionClient(side, client, true);
        if (op === 'put') return (await delayed.putObject({ bucket, key: k, body })).size;
        let bytes = 0;
        for await (const chunk of (await delayed.getObject({ bucket, key: k })).body) bytes += (chunk as Buffer).length;
        return bytes;
      },
    };
  },
}, __filename);
