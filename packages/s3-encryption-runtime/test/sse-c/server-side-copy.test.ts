import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectChangedError, SseCKey, SseCObjectClient } from '../../src/sse-c';

// radosgw Pacific answers 501 to any copy from an SSE-C source, so AWS's server-side copy paths
// (CopyObject and UploadPartCopy with copy-source SSE-C headers) are tested against a mocked S3 here.
const s3 = mockClient(S3Client);
const from = SseCKey.generate({ label: 'old' });
const to = SseCKey.generate({ label: 'new' });
const GiB = 1024 ** 3;

function client() {
  return new SseCObjectClient({ client: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }) });
}

function s3Error(status: number, code: string, message = '') {
  const err = new S3ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
  return Object.assign(err, { Code: code });
}

function headAs(key: SseCKey, size: number, extra: Record<string, unknown> = {}) {
  return { ETag: '"etag-1"', VersionId: 'v1', ContentLength: size, SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: key.keyMd5, ...extra };
}

beforeEach(() => s3.reset());

describe('re-keying with server-side copy (AWS)', () => {
  it('copies the object onto itself with both SSE-C key sets and ETag conditions on source and destination', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 1234));
    s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"etag-2"' }, VersionId: 'v2' });
    const result = await client().rekey({ bucket: 'data', key: 'reports/2026 Q1/ü.csv', from, to });

    expect(result).toEqual({ outcome: 'rekeyed', method: 'server-side', versionId: 'v2', previousVersionId: 'v1', size: 1234 });
    const [call] = s3.commandCalls(CopyObjectCommand);
    expect(call.args[0].input).toEqual({
      Bucket: 'data',
      Key: 'reports/2026 Q1/ü.csv',
      CopySource: 'data/reports/2026%20Q1/%C3%BC.csv?versionId=v1',
      CopySourceIfMatch: '"etag-1"',
      IfMatch: '"etag-1"',
      MetadataDirective: 'COPY',
      TaggingDirective: 'COPY',
      ...from.copySourceParams(),
      ...to.requestParams(),
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('restates the metadata (REPLACE) when the server refuses a same-object copy as "no change"', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 10, { ContentType: 'text/csv', Metadata: { a: '1' }, CacheControl: 'no-cache' }));
    s3.on(CopyObjectCommand, { MetadataDirective: 'COPY' }).rejects(
      s3Error(400, 'InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."),
    );
    s3.on(CopyObjectCommand, { MetadataDirective: 'REPLACE' }).resolves({ VersionId: 'v2' });
    await client().rekey({ bucket: 'data', key: 'k', from, to });
    const replace = s3.commandCalls(CopyObjectCommand)[1].args[0].input;
    expect(replace).toMatchObject({ MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { a: '1' }, CacheControl: 'no-cache', IfMatch: '"etag-1"' });
  });

  it('fails with ObjectChangedError, without any fallback write, when the object changed (412)', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 10));
    s3.on(CopyObjectCommand).rejects(s3Error(412, 'PreconditionFailed'));
    await expect(client().rekey({ bucket: 'data', key: 'k', from, to })).rejects.toBeInstanceOf(ObjectChangedError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('copies objects over 5 GiB part by part (UploadPartCopy), covering every byte once', async () => {
    const size = 6 * GiB + 123;
    s3.on(HeadObjectCommand).resolves(headAs(from, size, { ContentType: 'application/octet-stream' }));
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'a b' }] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"p${input.PartNumber}"` } }));
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"done"', VersionId: 'v2' });

    const result = await client().rekey({ bucket: 'data', key: 'huge.bin', from, to });
    expect(result).toMatchObject({ outcome: 'rekeyed', method: 'server-side', versionId: 'v2', size });

    expect(s3.commandCalls(CreateMultipartUploadCommand)[0].args[0].input).toMatchObject({
      Bucket: 'data',
      Key: 'huge.bin',
      ContentType: 'application/octet-stream',
      Tagging: 'team=a%20b', // UploadPartCopy does not carry tags: they are restated
      ...to.requestParams(),
    });
    const parts = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts).toHaveLength(13); // 512 MiB parts
    const ranges = parts
      .map((p) => ({ n: p.PartNumber!, range: /^bytes=(\d+)-(\d+)$/.exec(p.CopySourceRange!)!.slice(1).map(Number) }))
      .sort((a, b) => a.n - b.n);
    let next = 0;
    for (const { range } of ranges) {
      expect(range[0]).toBe(next);
      next = range[1] + 1;
    }
    expect(next).toBe(size);
    for (const p of parts) expect(p).toMatchObject({ UploadId: 'up-1', CopySourceIfMatch: '"etag-1"', ...from.copySourceParams(), ...to.requestParams() });
    const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input;
    expect(complete.IfMatch).toBe('"etag-1"');
    expect(complete.MultipartUpload?.Parts?.map((p) => p.PartNumber)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('aborts the multipart copy when a part fails', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 6 * GiB));
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    s3.on(UploadPartCopyCommand).rejects(s3Error(500, 'InternalError'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(client().rekey({ bucket: 'data', key: 'huge.bin', from, to })).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'data', Key: 'huge.bin', UploadId: 'up-2' }]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('after a failed part starts no more parts, and aborts only once the parts in flight have settled', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 6 * GiB));
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-3' });
    const log: string[] = [];
    s3.on(UploadPartCopyCommand).callsFake(async (input) => {
      log.push(`start ${input.PartNumber}`);
      // part 1 fails quickly; the two others in flight finish later
      await new Promise((r) => setTimeout(r, input.PartNumber === 1 ? 5 : 40));
      log.push(`end ${input.PartNumber}`);
      if (input.PartNumber === 1) throw s3Error(500, 'InternalError');
      return { CopyPartResult: { ETag: `"p${input.PartNumber}"` } };
    });
    s3.on(AbortMultipartUploadCommand).callsFake(() => {
      log.push('abort');
      return {};
    });
    await expect(client().rekey({ bucket: 'data', key: 'huge.bin', from, to })).rejects.toMatchObject({ name: 'InternalError' });
    // queueSize 3: parts 1-3 were in flight; none started after the failure, and the abort came last
    expect(log.filter((e) => e.startsWith('start'))).toEqual(['start 1', 'start 2', 'start 3']);
    expect(log[log.length - 1]).toBe('abort');
    expect(log.filter((e) => e === 'abort')).toHaveLength(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('refuses a copyPartSize outside S3 part limits', () => {
    const s3Client = new S3Client({ region: 'us-east-1' });
    expect(() => new SseCObjectClient({ client: s3Client, copyPartSize: 1024 })).toThrow(/copyPartSize must be between 5 MiB and 5 GiB/);
    expect(() => new SseCObjectClient({ client: s3Client, copyPartSize: 6 * GiB })).toThrow(/copyPartSize/);
  });

  it('falls back to a streamed copy after a 501 and remembers that the server cannot copy SSE-C sources', async () => {
    s3.on(HeadObjectCommand).resolves(headAs(from, 5));
    s3.on(CopyObjectCommand).rejects(s3Error(501, 'NotImplemented'));
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: Readable.from([Buffer.from('hello')]) as never,
      ContentLength: 5,
      ETag: '"etag-1"',
      SSECustomerKeyMD5: from.keyMd5,
    }));
    s3.on(PutObjectCommand).resolves({ ETag: '"etag-2"', VersionId: 'v2' });
    const c = client();
    expect((await c.rekey({ bucket: 'data', key: 'a', from, to })).method).toBe('streamed');
    expect((await c.rekey({ bucket: 'data', key: 'b', from, to })).method).toBe('streamed');
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1);
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'data', Key: 'a', IfMatch: '"etag-1"', ...to.requestParams() });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({ VersionId: 'v1', IfMatch: '"etag-1"', ...from.requestParams() });
  });
});
