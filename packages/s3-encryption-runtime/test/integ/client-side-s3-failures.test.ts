/**
 * What a failed encrypted put leaves behind on a real S3 server (radosgw): nothing. Faults are injected
 * into the S3Client before a request is sent (or, for retries, after the response), everything else is real.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import {
  ContentFormat,
  EncryptedObjectNotFoundError,
  EncryptedObjectParameterError,
  EncryptedUploadError,
  KmsRequestError,
  MetadataStrategy,
  S3EncryptionClient,
} from '../../src';
import { Fixture } from '../client-side/support/harness';
import { exists, injectFault } from '../client-side/support/s3-fixtures';
import { describeWithS3, recordCommands, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, patternStream, sha256 } from './support/test-data';

describeWithS3('S3EncryptionClient failures against radosgw', () => {
  const s3 = s3TestServer();
  let fx: Fixture;
  let bucket: string;
  let versioned: string;
  const client = (strategy = MetadataStrategy.OBJECT_METADATA, format = ContentFormat.V3) =>
    new S3EncryptionClient({ client: s3.client, encryption: fx.client('aes', { format, metadataStrategy: strategy }), partSize: 5 * MiB, queueSize: 2 });

  beforeAll(async () => {
    fx = new Fixture();
    bucket = await s3.createBucket('cse-failures');
    versioned = await s3.createBucket('cse-failures-versioned', { versioned: true });
  });
  afterAll(async () => {
    fx.restore();
    await s3.deleteBucket(bucket);
    await s3.deleteBucket(versioned);
  });

  async function expectNothingLeft(b: string, key: string): Promise<void> {
    expect(await s3.listMultipartUploads(b)).toEqual([]);
    expect(await exists(s3.client, b, key)).toBe(false);
    expect(await exists(s3.client, b, `${key}.instruction`)).toBe(false);
  }

  it('a part that fails aborts the multipart upload: no parts, no object', async () => {
    const commands = recordCommands(s3.client);
    const remove = injectFault(s3.client, (name, input) => name === 'UploadPartCommand' && input.PartNumber === 3);
    try {
      const err = await client().putObject({ bucket, key: 'fail/part3', body: patternStream(23 * MiB, 'p3').stream }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EncryptedUploadError);
      const e = err as EncryptedUploadError;
      expect(e).toMatchObject({ aborted: true, instructionFile: 'not-written' });
      expect(e.uploadId).toEqual(expect.any(String));
      expect(e.message).toMatch(/failed while uploading part 3 \(InjectedFault \(HTTP 400\): injected fault on UploadPartCommand\)/);
      expect(e.message).toMatch(/multipart upload was aborted; no parts are left behind.*retry the whole put/);
      expect(commands).toContain('AbortMultipartUploadCommand');
      expect(commands).not.toContain('CompleteMultipartUploadCommand');
      expect(commands.filter((c) => c === 'UploadPartCommand').length).toBeLessThanOrEqual(4); // stops starting parts after the failure
    } finally {
      remove();
    }
    await expectNothingLeft(bucket, 'fail/part3');
  });

  it('an SDK retry of a part re-sends the same ciphertext bytes, and the object decrypts', async () => {
    const attempts: string[] = [];
    let failed = false;
    s3.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number; Body?: Buffer };
        if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2) {
          attempts.push(createHash('sha256').update(input.Body!).digest('hex'));
          if (!failed) {
            failed = true; // the first attempt fails like a dropped connection / 500, inside the retry loop
            throw Object.assign(new Error('injected 500'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
          }
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'fail-once' },
    );
    try {
      const { stream, sha256: expected } = patternStream(12 * MiB, 'retry');
      const put = await client().putObject({ bucket, key: 'retry/part2', body: stream });
      expect(put.parts).toBe(3);
      expect(attempts).toHaveLength(2);
      expect(attempts[1]).toBe(attempts[0]);
      expect(sha256(await client().getObjectBytes({ bucket, key: 'retry/part2' }))).toBe(expected);
    } finally {
      s3.client.middlewareStack.remove('fail-once');
    }
  });

  it('a source stream that fails mid-way aborts the upload', async () => {
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= 12 * MiB) {
          this.destroy(new Error('disk read error'));
          return;
        }
        sent += MiB;
        this.push(patternBuffer(MiB, `src-${sent}`));
      },
    });
    const err = (await client().putObject({ bucket, key: 'fail/source', body: source }).catch((e: unknown) => e)) as EncryptedUploadError;
    expect(err).toBeInstanceOf(EncryptedUploadError);
    expect(err.aborted).toBe(true);
    expect(err.message).toMatch(/while reading and encrypting part 3 \(Error: disk read error\)/);
    expect((err.cause as Error).message).toBe('disk read error');
    await expectNothingLeft(bucket, 'fail/source');
  });

  it('the abort signal stops the upload and aborts it', async () => {
    const controller = new AbortController();
    const put = client().putObject({
      bucket,
      key: 'fail/aborted',
      body: patternStream(40 * MiB, 'abort').stream,
      abortSignal: controller.signal,
      onProgress: (p) => {
        if (p.loaded >= 5 * MiB) controller.abort();
      },
    });
    const err = (await put.catch((e: unknown) => e)) as EncryptedUploadError;
    expect(err).toBeInstanceOf(EncryptedUploadError);
    expect(err.aborted).toBe(true);
    await expectNothingLeft(bucket, 'fail/aborted');
  });

  it.each(['CreateMultipartUploadCommand', 'CompleteMultipartUploadCommand'])('a failing %s leaves nothing behind', async (command) => {
    const key = `fail/${command}`;
    const remove = injectFault(s3.client, (name) => name === command);
    try {
      const err = (await client().putObject({ bucket, key, body: patternBuffer(11 * MiB, key) }).catch((e: unknown) => e)) as EncryptedUploadError;
      expect(err).toBeInstanceOf(EncryptedUploadError);
      expect(err.aborted).toBe(true);
      expect(err.message).toMatch(command === 'CreateMultipartUploadCommand' ? /creating the multipart upload/ : /completing the multipart upload/);
    } finally {
      remove();
    }
    await expectNothingLeft(bucket, key);
  });

  it('a body shorter or longer than the declared contentLength is not stored', async () => {
    for (const [declared, actual] of [[6 * MiB, 6 * MiB - 1], [100, 101]]) {
      const key = `fail/length-${declared}-${actual}`;
      const err = (await client().putObject({ bucket, key, body: Readable.from([patternBuffer(actual, key)]), contentLength: declared }).catch((e: unknown) => e)) as EncryptedUploadError;
      expect(err).toBeInstanceOf(EncryptedUploadError);
      expect(err.cause).toBeInstanceOf(EncryptedObjectParameterError);
      await expectNothingLeft(bucket, key);
    }
  });

  it('a KMS failure fails the put before anything is sent to S3', async () => {
    const kmsClient = new S3EncryptionClient({ client: s3.client, encryption: fx.client('kms'), partSize: 5 * MiB });
    fx.kms.mock.on(GenerateDataKeyCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const commands = recordCommands(s3.client);
    await expect(kmsClient.putObject({ bucket, key: 'fail/kms', body: 'x' })).rejects.toBeInstanceOf(KmsRequestError);
    expect(commands).toEqual([]);
    await expectNothingLeft(bucket, 'fail/kms');
  });

  describe('instruction-file mode: the instruction file is written first and undone if the object write fails', () => {
    it('a new key: the instruction file is deleted again', async () => {
      const remove = injectFault(s3.client, (name, input) => name === 'PutObjectCommand' && input.Key === 'if/new');
      try {
        const err = (await client(MetadataStrategy.INSTRUCTION_FILE).putObject({ bucket, key: 'if/new', body: 'small' }).catch((e: unknown) => e)) as EncryptedUploadError;
        expect(err).toBeInstanceOf(EncryptedUploadError);
        expect(err.instructionFile).toBe('deleted');
        expect(err.message).toMatch(/instruction file this put had written was deleted again/);
      } finally {
        remove();
      }
      await expectNothingLeft(bucket, 'if/new');
    });

    it.each([
      ['unversioned', false],
      ['versioned', true],
    ])('overwriting an existing object (%s bucket): the previous instruction file is restored and the old object still decrypts', async (_label, isVersioned) => {
      const b = isVersioned ? versioned : bucket;
      for (const format of [ContentFormat.V3, ContentFormat.V2]) {
        const key = `if/overwrite-${format}`;
        const c = client(MetadataStrategy.INSTRUCTION_FILE, format);
        await c.putObject({ bucket: b, key, body: 'the original content' });
        const remove = injectFault(s3.client, (name, input) => name === 'UploadPartCommand' && input.Key === key && input.PartNumber === 2);
        try {
          const err = (await c.putObject({ bucket: b, key, body: patternBuffer(12 * MiB, key) }).catch((e: unknown) => e)) as EncryptedUploadError;
          expect(err).toBeInstanceOf(EncryptedUploadError);
          expect(err).toMatchObject({ aborted: true, instructionFile: 'restored' });
        } finally {
          remove();
        }
        expect((await c.getObjectBytes({ bucket: b, key })).toString()).toBe('the original content');
        expect(await s3.listMultipartUploads(b)).toEqual([]);
        if (isVersioned) {
          // the failed put's instruction-file version was removed, not hidden behind another version
          const versions = await s3.client.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: `${key}.instruction` }));
          expect(versions.Versions?.length).toBe(1);
          expect(versions.DeleteMarkers ?? []).toEqual([]);
        }
      }
    });
  });

  it('a failed single PUT in metadata mode leaves nothing', async () => {
    const remove = injectFault(s3.client, (name, input) => name === 'PutObjectCommand' && input.Key === 'fail/single');
    try {
      const err = (await client().putObject({ bucket, key: 'fail/single', body: 'x' }).catch((e: unknown) => e)) as EncryptedUploadError;
      expect(err).toMatchObject({ aborted: true, instructionFile: 'not-written' });
      expect(err.uploadId).toBeUndefined();
    } finally {
      remove();
    }
    await expect(client().getObject({ bucket, key: 'fail/single' })).rejects.toBeInstanceOf(EncryptedObjectNotFoundError);
  });
});
