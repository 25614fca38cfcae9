import { S3ServiceException } from '@aws-sdk/client-s3';
import { InsecureEndpointError } from '../../src/s3-client-factory';
import { isTransientError } from '../../src/s3/errors';
import {
  mapSseCError,
  ObjectChangedError,
  S3ObjectNotFoundError,
  SseCBlockedError,
  SseCKeyRequiredError,
  SseCNotApplicableError,
  type SseCRequestKind,
  SseCWrongKeyError,
} from '../../src/sse-c';

/** An SDK v3 service error as the S3 client throws it; `withBody: false` is what HEAD errors look like. */
function s3Error(status: number, code: string, message: string, withBody = true) {
  const err = new S3ServiceException({
    name: withBody ? code : 'Unknown',
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
  // errors parsed from an XML body carry the S3 `Code`; HEAD errors have no body, hence no Code
  return withBody ? Object.assign(err, { Code: code }) : err;
}

const object = { bucket: 'b', key: 'k' };
const map = (err: unknown, kind: SseCRequestKind, readKeySent: boolean, insecureEndpoint?: string) =>
  mapSseCError(err, { kind, object, readKeySent, readKeyLabel: 'key A', insecureEndpoint });

describe('mapSseCError: radosgw (Pacific) and AWS answers become the same typed errors', () => {
  it.each([
    ['AWS: wrong key on GET (403)', s3Error(403, 'AccessDenied', 'Access Denied'), 'read', true, SseCWrongKeyError],
    ['AWS: wrong key on HEAD (403, no body)', s3Error(403, 'Forbidden', '', false), 'read', true, SseCWrongKeyError],
    ['radosgw: wrong key on GET', s3Error(400, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.'), 'read', true, SseCWrongKeyError],
    ['radosgw: wrong key on HEAD (400, no body)', s3Error(400, 'BadRequest', '', false), 'read', true, SseCWrongKeyError],
    ['AWS: missing key on GET', s3Error(400, 'InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.'), 'read', false, SseCKeyRequiredError],
    ['AWS/radosgw: missing key on HEAD (400, no body)', s3Error(400, 'BadRequest', '', false), 'read', false, SseCKeyRequiredError],
    ['radosgw: missing key on GET', s3Error(400, 'InvalidArgument', 'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.'), 'read', false, SseCKeyRequiredError],
    ['AWS: key on an object that is not SSE-C', s3Error(400, 'InvalidRequest', 'The encryption parameters are not applicable to this object.'), 'read', true, SseCNotApplicableError],
    ['AWS: SSE-C write blocked by BlockedEncryptionTypes (403 AccessDenied)', s3Error(403, 'AccessDenied', 'Access Denied'), 'write', false, SseCBlockedError],
    ['AWS: SSE-C copy destination blocked', s3Error(403, 'AccessDenied', 'Access Denied'), 'copy', true, SseCBlockedError],
    ['missing object (GET)', s3Error(404, 'NoSuchKey', 'The specified key does not exist.'), 'read', true, S3ObjectNotFoundError],
    ['missing object (HEAD)', s3Error(404, 'NotFound', '', false), 'read', true, S3ObjectNotFoundError],
    ['conditional request failed', s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'), 'write', false, ObjectChangedError],
  ] as const)('%s', (_label, err, kind, keySent, type) => {
    const mapped = map(err, kind, keySent);
    expect(mapped).toBeInstanceOf(type);
    expect((mapped as Error).cause).toBe(err);
  });

  it('SSE-C over plain HTTP refused by the server becomes InsecureEndpointError', () => {
    expect(map(s3Error(400, 'InvalidRequest', ''), 'read', true, 'http://127.0.0.1:7480')).toBeInstanceOf(InsecureEndpointError);
    expect(map(s3Error(400, 'InvalidRequest', ''), 'write', false, 'http://127.0.0.1:7480')).toBeInstanceOf(InsecureEndpointError);
  });

  it('the blocked-write error explains BlockedEncryptionTypes and the construct opt-in', () => {
    const message = (map(s3Error(403, 'AccessDenied', 'Access Denied'), 'write', false) as Error).message;
    expect(message).toMatch(/BlockedEncryptionTypes/);
    expect(message).toMatch(/sseC: \{ allowedRoles/);
    expect(message).toMatch(/allowSseCFrom/);
  });

  it('a 404 for the bucket says the bucket is missing', () => {
    const mapped = map(s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist'), 'read', true) as S3ObjectNotFoundError;
    expect(mapped.code).toBe('NoSuchBucket');
    expect(mapped.httpStatusCode).toBe(404);
  });

  it('leaves errors that are not about SSE-C unchanged', () => {
    for (const err of [s3Error(503, 'SlowDown', 'Please reduce your request rate.'), s3Error(501, 'NotImplemented', ''), s3Error(403, 'AccessDenied', '')]) {
      const kind: SseCRequestKind = 'read';
      const mapped = err.$metadata.httpStatusCode === 403 ? map(err, kind, false) : map(err, kind, true);
      expect(mapped).toBe(err);
    }
    const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(map(network, 'write', false)).toBe(network);
  });
});

describe('isTransientError', () => {
  it.each([
    [s3Error(503, 'SlowDown', ''), true],
    [s3Error(500, 'InternalError', ''), true],
    [s3Error(429, 'TooManyRequests', ''), true],
    [s3Error(400, 'RequestTimeout', ''), true],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('t'), { name: 'TimeoutError' }), true],
    [new ObjectChangedError(object), true],
    [s3Error(501, 'NotImplemented', ''), false],
    [s3Error(403, 'AccessDenied', ''), false],
    [new SseCWrongKeyError(object, 'k'), false],
    [new S3ObjectNotFoundError(object), false],
    [new Error('bug'), false],
  ])('%#: %s -> %s', (err, transient) => {
    expect(isTransientError(err)).toBe(transient);
  });
});
