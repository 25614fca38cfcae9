/**
 * A real S3 server for integration tests: Ceph radosgw on 127.0.0.1, started by `scripts/ceph-rgw.sh`
 * (`npm test` and `npm run test:integ` run jest inside `bash scripts/ceph-rgw.sh run ...`).
 *
 * Usage:
 * ```ts
 * import { describeWithS3, s3TestServer } from './support/s3-test-server';
 *
 * describeWithS3('my feature', () => {
 *   const s3 = s3TestServer();                       // endpoint, CA, credentials, a ready S3Client
 *   let bucket: string;
 *   beforeAll(async () => { bucket = await s3.createBucket('my-feature'); });
 *   afterAll(() => s3.deleteBucket(bucket));          // frees memstore RAM; also aborts leftover uploads
 *   it('round-trips', async () => { ...s3.client.send(...)... });
 * });
 * ```
 *
 * - `describeWithS3` runs its block when the server is up. When it is not (scripts/ceph-rgw.sh set
 *   `S3_UNAVAILABLE_REASON`, or jest was started without the harness), it skips the block and prints the
 *   reason, except under `CI=true`, where it fails with the reason instead: CI must test against real S3.
 * - `s3TestServer()` describes the running server; `client` talks HTTPS (trusting the harness's
 *   self-signed CA), path-style, region us-east-1, with checksums `WHEN_REQUIRED` (radosgw Pacific
 *   rejects aws-chunked streaming uploads). `clientFor({ user: 'other' })` signs as the second user,
 *   `clientFor({ http: true })` talks plain HTTP.
 * - radosgw runs with `rgw crypt require ssl = true` like AWS: SSE-C and SSE-KMS requests over plain
 *   HTTP are refused with 400 InvalidRequest. SSE-KMS key ids of rgw's `testing` backend: `kmsKeyIds`.
 * - memstore keeps object data in RAM: delete what you write (`deleteBucket`).
 * - `recordCommands(client)` logs the names of the commands a client sends (e.g. to prove a multipart
 *   upload was started and then aborted).
 */
import { readFileSync } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../../../src/s3-client-factory';
import { describeWhenAvailable } from '../../support/environment-gate';

/** Static description of the running S3 server. */
export interface S3TestServer {
  /** HTTPS endpoint, e.g. `https://127.0.0.1:7443`. */
  readonly endpoint: string;
  /** Plain-HTTP endpoint of the same server, e.g. `http://127.0.0.1:7480`. */
  readonly httpEndpoint: string;
  /** Path of the server's self-signed certificate (PEM); also its own CA. */
  readonly caCertPath: string;
  /** The certificate's PEM text. */
  readonly caCert: string;
  /** Region to sign with (`us-east-1`: other regions make CreateBucket send a LocationConstraint rgw rejects). */
  readonly region: string;
  /** Credentials of the user `owner`, who owns the buckets `createBucket` makes. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Credentials of a second user, `other` (no access to owner's buckets unless a policy grants it). */
  readonly otherCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Key ids of rgw's `testing` SSE-KMS backend. */
  readonly kmsKeyIds: readonly string[];
  /** An S3Client for `owner` over HTTPS. */
  readonly client: S3Client;
  /** A new S3Client: as `other` and/or over plain HTTP. */
  clientFor(options: { user?: 'owner' | 'other'; http?: boolean }): S3Client;
  /** Creates a bucket named `<prefix>-<random>` (optionally versioned) and returns its name. */
  createBucket(prefix: string, options?: { versioned?: boolean }): Promise<string>;
  /** Aborts multipart uploads, deletes every object version and delete marker, then the bucket. */
  deleteBucket(bucket: string): Promise<void>;
  /** The environment that points a bundled Batch Operations handler (BATCH_S3_*, AWS_*) at this server as `owner`. */
  readonly batchHandlerEnvironment: Readonly<Record<string, string>>;
  /** In-progress multipart uploads in a bucket (to assert nothing was left behind). */
  listMultipartUploads(bucket: string): Promise<Array<{ key: string; uploadId: string }>>;
}

/** Why no S3 server is available, or `undefined` when one is. */
export function s3UnavailableReason(): string | undefined {
  if (process.env.S3_UNAVAILABLE_REASON) return process.env.S3_UNAVAILABLE_REASON;
  if (!process.env.S3_ENDPOINT || !process.env.S3_CA_CERT) {
    return 'S3_ENDPOINT is not set: run the integration tests through the harness, e.g. `npm run test:integ` or `bash scripts/ceph-rgw.sh run npx jest --selectProjects integ`';
  }
  return undefined;
}

let server: S3TestServer | undefined;

/** The running server. Throws with the reason when there is none (use inside `describeWithS3`). */
export function s3TestServer(): S3TestServer {
  const reason = s3UnavailableReason();
  if (reason) throw new Error(`no S3 server for integration tests: ${reason}`);
  server ??= describeServer();
  return server;
}

/**
 * `describe` for tests that need the S3 server: runs `fn` when it is up; otherwise skips with the reason
 * printed, or, under `CI=true`, fails with it (test/support/environment-gate.ts). Also raises the
 * per-test timeout to `timeoutMs`.
 */
export function describeWithS3(name: string, fn: () => void, timeoutMs = 120_000): void {
  describeWhenAvailable(name, { needs: 'a real S3 server', unavailableReason: s3UnavailableReason(), timeoutMs }, fn);
}

function describeServer(): S3TestServer {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set; run through scripts/ceph-rgw.sh`);
    return value;
  };
  const endpoint = env('S3_ENDPOINT');
  const httpEndpoint = env('S3_HTTP_ENDPOINT');
  const caCertPath = env('S3_CA_CERT');
  const caCert = readFileSync(caCertPath, 'utf8');
  const region = process.env.S3_REGION ?? 'us-east-1';
  const credentials = { accessKeyId: env('S3_ACCESS_KEY'), secretAccessKey: env('S3_SECRET_KEY') };
  const otherCredentials = { accessKeyId: env('S3_ACCESS_KEY_2'), secretAccessKey: env('S3_SECRET_KEY_2') };
  const clientFor = (options: { user?: 'owner' | 'other'; http?: boolean }): S3Client =>
    createS3Client({
      endpoint: options.http ? httpEndpoint : endpoint,
      allowInsecureHttp: options.http ?? false,
      caCert,
      region,
      forcePathStyle: true,
      credentials: options.user === 'other' ? otherCredentials : credentials,
      clientConfig: { maxAttempts: 2 },
    });
  const client = clientFor({});

  const createBucket = async (prefix: string, options: { versioned?: boolean } = {}): Promise<string> => {
    const safe = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
    const bucket = `${safe}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    if (options.versioned) {
      await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    return bucket;
  };

  const listMultipartUploads = async (bucket: string) => {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (out.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
  };

  const deleteBucket = async (bucket: string): Promise<void> => {
    for (const u of await listMultipartUploads(bucket)) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
    }
    for (;;) {
      const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
      const ids = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
      if (ids.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: ids, Quiet: true } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  };

  const batchHandlerEnvironment = {
    BATCH_S3_ENDPOINT: endpoint,
    BATCH_S3_FORCE_PATH_STYLE: 'true',
    BATCH_S3_CA_CERT_FILE: caCertPath,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };

  return {
    batchHandlerEnvironment,
    endpoint,
    httpEndpoint,
    caCertPath,
    caCert,
    region,
    credentials,
    otherCredentials,
    kmsKeyIds: (process.env.S3_KMS_KEY_IDS ?? '').split(/\s+/).filter(Boolean),
    client,
    clientFor,
    createBucket,
    deleteBucket,
    listMultipartUploads,
  };
}

/** Records the name of every command `client` sends from now on (e.g. `CreateMultipartUploadCommand`). */
export function recordCommands(client: S3Client): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: `recordCommands${Math.random()}` },
  );
  return names;
}
