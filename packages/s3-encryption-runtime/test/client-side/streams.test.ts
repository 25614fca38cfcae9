import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  BufferLimitExceededError, ClientSideConfigurationError, ClientSideEncryption, ClientSideUsageError, ContentAuthenticationError, ContentFormat,
  type Keyring, LegacyModeDisabledError, MetadataStrategy, ObjectEncryptor, parseContentRange, parseRangeHeader, planRangedGet, RangedGetError,
  RawAesKeyring,
} from '../../src/client-side';
import { chunkedStream, collect, decryptObserved, expectSameBytes, FORMATS, seededBytes } from './support/harness';

const keyring = new RawAesKeyring({ wrappingKey: randomBytes(32) });
const MiB = 1024 * 1024;

/** The same keyring, counting unwraps (to show a check happened before the key was unwrapped). */
function countingKeyring(): Keyring & { unwraps: number } {
  return {
    name: 'CountingKeyring',
    unwraps: 0,
    wrapDataKey: (r) => keyring.wrapDataKey(r),
    unwrapDataKey(r) {
      this.unwraps++;
      return keyring.unwrapDataKey(r);
    },
  };
}

describe('buffered authentication (default)', () => {
  it('releases nothing until the tag verifies: the first data event comes after the whole body was read', async () => {
    const client = new ClientSideEncryption({ keyring });
    const plaintext = seededBytes(1, 3 * MiB + 5);
    const obj = await client.encrypt(plaintext);
    const source = new PassThrough();
    const out = await client.decryptStream({ ...obj, body: source });
    let bodyEnded = false;
    let dataBeforeEnd = false;
    out.on('data', () => {
      if (!bodyEnded) dataBeforeEnd = true;
    });
    const done = collect(out);
    for (let i = 0; i < obj.body.length; i += 64 * 1024) {
      source.write(obj.body.subarray(i, i + 64 * 1024));
      await new Promise((r) => setImmediate(r));
    }
    bodyEnded = true;
    source.end();
    expectSameBytes(await done, plaintext);
    expect(dataBeforeEnd).toBe(false);
  });

  it('fails past the limit with BufferLimitExceededError naming the opt-ins, releasing nothing', async () => {
    const writer = new ClientSideEncryption({ keyring });
    const obj = await writer.encrypt(seededBytes(2, 4096 + 1));
    // in small chunks, and as one chunk (the stream holds back its last chunk: the limit applies to it too)
    for (const chunkSize of [100, obj.body.length]) {
      const out = await decryptObserved(new ClientSideEncryption({ keyring, bufferSize: 4096 }), obj, chunkSize);
      expect(out.error).toBeInstanceOf(BufferLimitExceededError);
      expect((out.error as Error).message).toMatch(/enableDelayedAuthentication/);
      expect((out.error as Error).message).toMatch(/bufferSize/);
      expect(out.releasedBytes).toBe(0);
    }
    // exactly at the limit is fine
    const atLimit = await writer.encrypt(seededBytes(3, 4096));
    expect((await decryptObserved(new ClientSideEncryption({ keyring, bufferSize: 4096 }), atLimit)).plaintext).toHaveLength(4096);
  });

  it('with a known Content-Length, refuses a too-large object before unwrapping its key or reading any byte', async () => {
    const counting = countingKeyring();
    const client = new ClientSideEncryption({ keyring: counting, bufferSize: 1024 });
    const obj = await client.encrypt(seededBytes(4, 2048));
    let pulled = false;
    const body = new Readable({ read() { pulled = true; this.push(null); } });
    await expect(client.decryptStream({ ...obj, body, contentLength: obj.body.length })).rejects.toBeInstanceOf(BufferLimitExceededError);
    expect(pulled).toBe(false);
    await expect(client.decrypt(obj)).rejects.toBeInstanceOf(BufferLimitExceededError); // in memory the length is known too
    expect(counting.unwraps).toBe(0);
    // exactly at the limit (plaintext = body − tag) the key is unwrapped and the object decrypts
    const atLimit = await client.encrypt(seededBytes(4, 1024));
    expect(await client.decrypt(atLimit)).toHaveLength(1024);
    expect(counting.unwraps).toBe(1);
  });
});

describe('delayed authentication (opt-in)', () => {
  it('streams plaintext before the end, and a bad tag fails the stream at its end (plaintextReleased: true)', async () => {
    const client = new ClientSideEncryption({ keyring, enableDelayedAuthentication: true });
    const plaintext = seededBytes(5, MiB);
    const obj = await client.encrypt(plaintext);
    expectSameBytes(await collect(await client.decryptStream({ ...obj, body: chunkedStream(obj.body, 65536) })), plaintext);

    obj.body[obj.body.length - 1] ^= 1;
    const out = await decryptObserved(client, obj, 65536);
    expect(out.error).toBeInstanceOf(ContentAuthenticationError);
    expect((out.error as ContentAuthenticationError).plaintextReleased).toBe(true);
    expect((out.error as Error).message).toMatch(/discard everything/);
    // plaintext reached the consumer before the failure (what is still queued when the error lands is dropped by the stream)
    expect(out.releasedBytes).toBeGreaterThan(MiB / 2);
  });

  it('has no buffer limit', async () => {
    const client = new ClientSideEncryption({ keyring, enableDelayedAuthentication: true });
    const obj = await client.encrypt(seededBytes(6, 200_000));
    expect((await client.decrypt({ ...obj })).length).toBe(200_000);
  });
});

describe('encryption streams and multipart parts', () => {
  it.each(FORMATS)('%s: the encrypt stream output is the stored body, whatever the chunking', async (format) => {
    const client = new ClientSideEncryption({ keyring, format });
    const plaintext = seededBytes(7, 100_003);
    const enc = await client.encryptStream(chunkedStream(plaintext, 4093));
    const body = await collect(enc.body);
    expect(body.length).toBe(ObjectEncryptor.ciphertextLength(plaintext.length));
    expectSameBytes(await client.decrypt({ body, metadata: enc.metadata }), plaintext);
  });

  it.each([
    ['empty', 0, 32], ['one byte', 1, 32], ['exactly one part', 64, 64], ['exactly three parts', 192, 64], ['partial last part', 1000, 96],
  ])('parts: %s (%i bytes, partSize %i): plaintext multiples of 16, one last part with the tag, concatenation is the object', async (_n, size, partSize) => {
    const client = new ClientSideEncryption({ keyring });
    const encryptor = await client.createEncryptor();
    const plaintext = seededBytes(size, size);
    const parts = [];
    for await (const p of encryptor.encryptParts(chunkedStream(plaintext, 7), partSize)) parts.push(p);
    expect(parts.map((p) => p.partNumber)).toEqual(parts.map((_p, i) => i + 1));
    expect(parts.filter((p) => p.isLast)).toHaveLength(1);
    expect(parts[parts.length - 1].isLast).toBe(true);
    for (const p of parts.slice(0, -1)) {
      expect(p.plaintextLength).toBe(partSize);
      expect(p.body.length).toBe(partSize);
    }
    const last = parts[parts.length - 1];
    expect(last.body.length).toBe(last.plaintextLength + 16);
    expect(parts.reduce((n, p) => n + p.plaintextLength, 0)).toBe(size);
    const body = Buffer.concat(parts.map((p) => p.body));
    expect(await client.decrypt({ body, metadata: { ...encryptor.metadata } })).toEqual(plaintext);
  });

  it('an encryptor is single-use and part sizes must be multiples of 16', async () => {
    const encryptor = await new ClientSideEncryption({ keyring }).createEncryptor();
    expect(() => encryptor.encryptParts(Readable.from([]), 100)).toThrow(ClientSideConfigurationError);
    expect(() => encryptor.encryptParts(Readable.from([]), 0)).toThrow(ClientSideConfigurationError);
    encryptor.createEncryptStream();
    expect(() => encryptor.createEncryptStream()).toThrow(ClientSideUsageError);
    expect(() => encryptor.encryptParts(Readable.from([]), 64)).toThrow(ClientSideUsageError);
    expect(() => encryptor.encryptBuffer(Buffer.from('x'))).toThrow(ClientSideUsageError);
    const another = await new ClientSideEncryption({ keyring }).createEncryptor();
    expect(another.encryptBuffer(Buffer.from('x'))).toHaveLength(17);
    expect(() => another.createEncryptStream()).toThrow(ClientSideUsageError);
  });

  it('each object gets a fresh data key and IV / message id', async () => {
    for (const format of FORMATS) {
      const client = new ClientSideEncryption({ keyring, format });
      const [a, b] = await Promise.all([client.encrypt(Buffer.from('same')), client.encrypt(Buffer.from('same'))]);
      expect(a.body.equals(b.body)).toBe(false);
      const ivKey = format === ContentFormat.V3 ? 'x-amz-i' : 'x-amz-iv';
      expect(a.metadata[ivKey]).not.toBe(b.metadata[ivKey]);
    }
  });
});

describe('ranged reads (AES-CTR, unauthenticated opt-in)', () => {
  it('plans like the Java client and parses the headers it needs', () => {
    expect(planRangedGet({ start: 0, end: 0 })).toMatchObject({ fetchStart: 0, fetchEnd: 32, rangeHeader: 'bytes=0-32' });
    expect(planRangedGet({ start: 40, end: 47 })).toMatchObject({ fetchStart: 16, fetchEnd: 64 });
    expect(planRangedGet({ start: 100 })).toMatchObject({ fetchStart: 80, rangeHeader: 'bytes=80-' });
    expect(parseRangeHeader('bytes=5-9')).toEqual({ start: 5, end: 9 });
    expect(parseRangeHeader('bytes=5-')).toEqual({ start: 5, end: undefined });
    expect(parseRangeHeader('bytes=-5')).toBeUndefined(); // suffix ranges: fetch the whole object
    expect(parseRangeHeader('bytes=1-2,4-5')).toBeUndefined();
    expect(parseContentRange('bytes 0-47/1016')).toEqual({ start: 0, end: 47, total: 1016 });
    expect(() => parseContentRange('bytes */1016')).toThrow(RangedGetError);
    expect(() => planRangedGet({ start: 5, end: 4 })).toThrow(RangedGetError);
  });

  it.each(FORMATS)('%s: every range of a small object, and random ranges of a large one, give exactly the plaintext bytes', async (format) => {
    const client = new ClientSideEncryption({ keyring, format, enableLegacyUnauthenticatedModes: true });
    const check = async (plaintext: Buffer, obj: { body: Buffer; metadata: Record<string, string> }, start: number, end?: number) => {
      const plan = planRangedGet({ start, end });
      const last = Math.min(plan.fetchEnd ?? Infinity, obj.body.length - 1);
      const fetched = obj.body.subarray(plan.fetchStart, last + 1);
      const out = await client.decryptRange({ ...obj, body: fetched, contentRange: `bytes ${plan.fetchStart}-${last}/${obj.body.length}` }, plan);
      expectSameBytes(out, plaintext.subarray(start, end === undefined ? undefined : end + 1));
    };
    const small = seededBytes(8, 50);
    const smallObj = await client.encrypt(small);
    for (let a = 0; a < 50; a += 3) for (let b = a; b < 60; b += 5) await check(small, smallObj, a, b);
    await check(small, smallObj, 17);
    const big = seededBytes(9, 300_001);
    const bigObj = await client.encrypt(big);
    for (let i = 0; i < 20; i++) {
      const a = (i * 15013) % 300_001;
      await check(big, bigObj, a, Math.min(a + (i * 7919) % 70_000, 300_000));
    }
  });

  it('is refused without enableLegacyUnauthenticatedModes, before the key is unwrapped', async () => {
    const counting = countingKeyring();
    const writer = new ClientSideEncryption({ keyring: counting });
    const obj = await writer.encrypt(Buffer.from('ranged'));
    const plan = planRangedGet({ start: 0, end: 1 });
    await expect(writer.decryptRange({ ...obj, contentRange: `bytes 0-${obj.body.length - 1}/${obj.body.length}` }, plan)).rejects.toBeInstanceOf(LegacyModeDisabledError);
    expect(counting.unwraps).toBe(0);
    const decryptor = await writer.createDecryptor(obj);
    expect(() => decryptor.createRangeDecryptStream(plan, { start: 0, end: obj.body.length - 1, total: obj.body.length })).toThrow(/enableLegacyUnauthenticatedModes/);
  });

  it('rejects ranges that start past the plaintext or responses that do not match the plan', async () => {
    const client = new ClientSideEncryption({ keyring, enableLegacyUnauthenticatedModes: true, metadataStrategy: MetadataStrategy.INSTRUCTION_FILE });
    const obj = await client.encrypt(Buffer.from('0123456789'));
    const total = obj.body.length;
    await expect(client.decryptRange({ ...obj, body: obj.body, contentRange: `bytes 0-${total - 1}/${total}` }, planRangedGet({ start: 12 }))).rejects.toBeInstanceOf(RangedGetError);
    await expect(client.decryptRange({ ...obj, body: obj.body.subarray(3), contentRange: `bytes 3-${total - 1}/${total}` }, planRangedGet({ start: 4 }))).rejects.toThrow(/block boundary/);
    await expect(client.decryptRange({ ...obj, body: obj.body.subarray(0, 4), contentRange: `bytes 0-3/${total}` }, planRangedGet({ start: 0, end: 8 }))).rejects.toBeInstanceOf(RangedGetError);
  });
});
