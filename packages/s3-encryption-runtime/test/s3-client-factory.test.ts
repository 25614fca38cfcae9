import { S3Client } from '@aws-sdk/client-s3';
import { assertClientUsesTls, createS3Client, InsecureEndpointError, memoizedTlsCheck } from '../src/s3-client-factory';
import { S3EncryptionError } from '../src/errors';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('createS3Client', () => {
  it('refuses a plain-HTTP endpoint with InsecureEndpointError unless explicitly allowed', async () => {
    const err = (() => {
      try {
        createS3Client({ endpoint: 'http://s3.example.com:8080', region: 'us-east-1', credentials });
      } catch (e) {
        return e as InsecureEndpointError;
      }
      throw new Error('expected a throw');
    })();
    expect(err).toBeInstanceOf(InsecureEndpointError);
    expect(err).toBeInstanceOf(S3EncryptionError);
    expect(err.code).toBe('InsecureEndpoint');
    expect(err.endpoint).toBe('http://s3.example.com:8080');
    expect(err.message).toMatch(/https:\/\//);

    const allowed = createS3Client({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', credentials, allowInsecureHttp: true });
    await expect(assertClientUsesTls(allowed, false)).rejects.toBeInstanceOf(InsecureEndpointError);
    await expect(assertClientUsesTls(allowed, true)).resolves.toBeUndefined();
  });

  it('rejects endpoints that are not http(s) URLs', () => {
    expect(() => createS3Client({ endpoint: 's3.example.com' })).toThrow(/not a URL/);
    expect(() => createS3Client({ endpoint: 'ftp://s3.example.com' })).toThrow(/expected https/);
  });

  it('uses WHEN_REQUIRED checksums for custom endpoints (radosgw rejects aws-chunked uploads) and the SDK default on AWS', async () => {
    const custom = createS3Client({ endpoint: 'https://127.0.0.1:7443', region: 'us-east-1', credentials, forcePathStyle: true });
    expect(await custom.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await custom.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(custom.config.forcePathStyle).toBe(true);
    await expect(assertClientUsesTls(custom, false)).resolves.toBeUndefined();

    const aws = createS3Client({ region: 'eu-west-1', credentials });
    expect(await aws.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    await expect(assertClientUsesTls(aws, false)).resolves.toBeUndefined();

    const forced = createS3Client({ endpoint: 'https://minio.local', region: 'us-east-1', credentials, checksums: 'WHEN_SUPPORTED' });
    expect(await forced.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });

  it('refuses a ready-made client with tls: false', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials, tls: false });
    await expect(assertClientUsesTls(client, false)).rejects.toBeInstanceOf(InsecureEndpointError);
  });
});

describe('memoizedTlsCheck', () => {
  it('checks once per client, names an allowed plain-HTTP endpoint, and re-runs a failed check', async () => {
    const http = createS3Client({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', credentials, allowInsecureHttp: true });
    const allowed = memoizedTlsCheck(http, true);
    await expect(allowed()).resolves.toBe('http://127.0.0.1:7480');
    expect(allowed()).toBe(allowed());
    await expect(memoizedTlsCheck(createS3Client({ endpoint: 'https://s3.example.com', region: 'us-east-1', credentials }), false)()).resolves.toBeUndefined();

    let calls = 0;
    const flaky = { config: { endpoint: async () => {
      if (calls++ === 0) throw new Error('endpoint not resolvable yet');
      return { protocol: 'https:', hostname: 's3.example.com' };
    } } } as unknown as S3Client;
    const check = memoizedTlsCheck(flaky, false);
    await expect(check()).rejects.toThrow('endpoint not resolvable yet');
    await expect(check()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
