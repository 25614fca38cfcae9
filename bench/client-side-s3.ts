// Client-side encryption through radosgw: S3EncryptionClient ("ours": V3, raw AES keyring, its defaults:
// one PutObject up to 8 MiB, else multipart with 8 MiB parts, 4 in flight; gets with buffered authentication)
// vs plain, unencrypted PutObject/GetObject ("sdk": the cost of not encrypting at all). Peak RSS of a 1 GiB
// streamed put and get (delayed authentication). Method: bench/s3-throughput-harness.ts.
//
//   bash scripts/ceph-rgw.sh run npx tsx bench/client-side-s3.ts [--rounds 5] [--no-rss]
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ClientSideEncryption } from '../packages/s3-encryption-runtime/src/client-side/client-side-encryption';
import { RawAesKeyring } from '../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring';
import { S3EncryptionClient } from '../packages/s3-encryption-runtime/src/client-side/s3-encryption-client';
import { runThroughputBenchmark, type ThroughputSubject } from './s3-throughput-harness';

function encryptionClient(client: S3Client, keyB64: string, delayed: boolean): S3EncryptionClient {
  return new S3EncryptionClient({
    client,
    encryption: new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: Buffer.from(keyB64, 'base64') }), enableDelayedAuthentication: delayed }),
  });
}

runThroughputBenchmark((): ThroughputSubject => {
  const secret = randomBytes(32).toString('base64');
  const clients = new WeakMap<S3Client, S3EncryptionClient>(); // one of ours per S3 client, as an application would hold it
  const ours = (client: S3Client) => clients.get(client) ?? clients.set(client, encryptionClient(client, secret, false)).get(client)!;
  return {
    title: 'Client-side encryption (S3EncryptionClient, V3, raw AES) vs unencrypted puts/gets',
    rssTitle: 'Peak RSS of a 1 GiB streamed transfer through S3EncryptionClient (own process, plain node; get with delayed authentication)',
    name: 'client-side-s3',
    secret,
    sidesReadOwnObjects: true, // ciphertext and plaintext objects differ
    async put(side, client, bucket, k, body) {
      if (side === 'ours') await ours(client).putObject({ bucket, key: k, body });
      else await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body }));
    },
    async get(side, client, bucket, k) {
      if (side === 'ours') return (await ours(client).getObject({ bucket, key: k })).body;
      return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }))).Body as Readable;
    },
    async transferOneGiB(op, client, bucket, k, key, body) {
      const delayed = encryptionClient(client, key, true);
      if (op === 'put') return (await delayed.putObject({ bucket, key: k, body })).size;
      let bytes = 0;
      for await (const chunk of (await delayed.getObject({ bucket, key: k })).body) bytes += (chunk as Buffer).length;
      return bytes;
    },
  };
}, __filename);
