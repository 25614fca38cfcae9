/**
 * Malformed-metadata fuzzing: random edits of valid objects' metadata and instruction files, and
 * entirely random metadata. Decryption must never crash with an untyped error, never hang, and
 * never return data other than the original plaintext (a no-op edit, like a key's letter case
 * or JSON whitespace, may still decrypt correctly).
 */
import fc from 'fast-check';
import {
  ALL_CONTENT_METADATA_KEYS, ClientSideEncryptionError, decodeContentMetadata, decodeHeaderValue, type EncryptedObject, requiresInstructionFile,
} from '../../src/client-side';
import { Fixture, FORMATS, KEYRING_KINDS, type KeyringKind, seededBytes, STRATEGIES } from './support/harness';

const PLAINTEXT = seededBytes(42, 1000);
const TIME_LIMIT_MS = 2000;

/** Values that are likely to reach deep into the parsers. */
const valueArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.base64String({ maxLength: 120 }),
  fc.constantFrom('', '115', '114', '02', '12', '22', '128', '-1', 'null', '{}', '[]', '{"a":1}', '{"aws:x-amz-cek-alg":"115"}',
    'AES/GCM/NoPadding', 'AES/CBC/PKCS5Padding', 'kms', 'kms+context', 'AESWrap', 'AES/GCM', 'RSA-OAEP-SHA1', '=?UTF-8?B?w4PCtg==?=', '=?UTF-8?Q?=ZZ?='),
  fc.json(),
  fc.integer().map(String),
  fc.string().map((s) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`),
);
const keyArb = fc.oneof(fc.constantFrom(...ALL_CONTENT_METADATA_KEYS), fc.constantFrom(...ALL_CONTENT_METADATA_KEYS).map((k) => k.toUpperCase()), fc.string({ maxLength: 12 }));

type Edit =
  | { kind: 'set'; key: string; value: string; inFile: boolean }
  | { kind: 'delete'; key: string }
  | { kind: 'mutate'; key: string; index: number; char: string }
  | { kind: 'file'; value: string | Uint8Array | undefined }
  | { kind: 'flip'; key: string; index: number; bit: number };

/** Well-formed but wrong values for each field, so edits get past decoding into policy, keyrings and commitment. */
const plausibleArb = fc.oneof(
  fc.record({ key: fc.constant('x-amz-wrap-alg'), value: fc.constantFrom('kms+context', 'AES/GCM', 'RSA-OAEP-SHA1', 'kms', 'AESWrap', 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding') }),
  fc.record({ key: fc.constant('x-amz-w'), value: fc.constantFrom('02', '12', '22') }),
  fc.record({ key: fc.constant('x-amz-cek-alg'), value: fc.constantFrom('AES/GCM/NoPadding', 'AES/CBC/PKCS5Padding', 'AES/CBC/PKCS7Padding') }),
  fc.record({ key: fc.constantFrom('x-amz-matdesc', 'x-amz-m', 'x-amz-t'), value: fc.dictionary(fc.constantFrom('aws:x-amz-cek-alg', 'kms_cmk_id', 'a'), fc.constantFrom('115', 'AES/GCM/NoPadding', 'x')).map((m) => JSON.stringify(m)) }),
  fc.record({ key: fc.constantFrom('x-amz-iv', 'x-amz-i', 'x-amz-d'), value: fc.constantFrom(12, 16, 28).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })).map((b) => Buffer.from(b).toString('base64')) }),
);

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: valueArb, inFile: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...ALL_CONTENT_METADATA_KEYS) }),
  fc.record({ kind: fc.constant('mutate' as const), key: fc.constantFrom(...ALL_CONTENT_METADATA_KEYS), index: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
  fc.record({ kind: fc.constant('file' as const), value: fc.oneof(fc.constant(undefined), valueArb, fc.uint8Array({ maxLength: 64 }), fc.json()) }),
  plausibleArb.chain(({ key, value }) => fc.record({ kind: fc.constant('set' as const), key: fc.constant(key), value: fc.constant(value), inFile: fc.boolean() })),
  fc.record({ kind: fc.constant('flip' as const), key: fc.constantFrom('x-amz-key-v2', 'x-amz-3', 'x-amz-iv', 'x-amz-i', 'x-amz-d'), index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
);

function applyEdits(obj: EncryptedObject, edits: Edit[]): { metadata: Record<string, string>; instructionFile?: string | Uint8Array } {
  const metadata: Record<string, string> = { ...obj.metadata };
  let file: Record<string, unknown> | undefined = obj.instructionFile ? JSON.parse(obj.instructionFile) : undefined;
  let rawFile: string | Uint8Array | undefined;
  for (const e of edits) {
    if (e.kind === 'file') {
      file = undefined;
      rawFile = e.value;
      continue;
    }
    const target: Record<string, unknown> = e.kind !== 'delete' && e.kind === 'set' && e.inFile && file ? file : e.key in metadata || !file ? metadata : file;
    if (e.kind === 'set') target[e.key] = e.value;
    else if (e.kind === 'delete') delete target[e.key];
    else if (e.kind === 'flip') {
      if (typeof target[e.key] !== 'string') continue;
      const bytes = Buffer.from(target[e.key] as string, 'base64');
      if (bytes.length === 0) continue;
      bytes[e.index % bytes.length] ^= 1 << e.bit;
      target[e.key] = bytes.toString('base64');
    }
    else if (typeof target[e.key] === 'string') {
      const v = target[e.key] as string;
      const i = v.length ? e.index % v.length : 0;
      target[e.key] = v.slice(0, i) + e.char + v.slice(i + 1);
    }
  }
  return { metadata, instructionFile: file ? JSON.stringify(file) : rawFile };
}

async function withinTimeLimit<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${TIME_LIMIT_MS} ms (hang)`)), TIME_LIMIT_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('malformed-metadata fuzzing', () => {
  let fx: Fixture;
  const originals = new Map<string, EncryptedObject>();
  beforeAll(async () => {
    fx = new Fixture();
    for (const kind of KEYRING_KINDS) for (const format of FORMATS) for (const strategy of STRATEGIES) {
      originals.set(`${kind}/${format}/${strategy}`, await fx.encrypt(kind, format, strategy, PLAINTEXT));
    }
  });
  afterAll(() => fx.restore());

  it('random edits of valid objects: typed error or the original plaintext, never anything else, never a hang', async () => {
    let typedErrors = 0;
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...originals.keys()), fc.array(editArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (which, edits, legacy) => {
        const kind = which.split('/')[0] as KeyringKind;
        const stored = applyEdits(originals.get(which)!, edits);
        const client = fx.client(kind, legacy ? { enableLegacyUnauthenticatedModes: true, enableLegacyWrappingAlgorithms: true } : {});
        try {
          const out = await withinTimeLimit(client.decrypt({ body: originals.get(which)!.body, ...stored }));
          expect(out.equals(PLAINTEXT)).toBe(true);
        } catch (err) {
          if (!(err instanceof ClientSideEncryptionError)) throw err;
          typedErrors++;
          codes.add(err.code);
        }
      }),
      { numRuns: 600, seed: Number(process.env.FC_SEED ?? 7), endOnFailure: true },
    );
    // the fuzzer really reaches the error paths, past decoding into policy, keyrings and commitment
    expect(typedErrors).toBeGreaterThan(300);
    expect([...codes].sort()).toEqual(expect.arrayContaining(['DataKeyUnwrapFailed', 'MalformedMetadata', 'MissingInstructionFile', 'UnknownWrappingAlgorithm']));
    expect(codes.size).toBeGreaterThanOrEqual(6);
  });

  it('entirely random metadata and instruction files: the decoder returns or throws a typed error, quickly', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 10 }), fc.option(fc.oneof(valueArb, fc.uint8Array({ maxLength: 200 }))), (metadata, file) => {
        const started = Date.now();
        for (const run of [() => requiresInstructionFile(metadata), () => decodeContentMetadata({ metadata, instructionFile: file ?? undefined })]) {
          try {
            run();
          } catch (err) {
            if (!(err instanceof ClientSideEncryptionError)) throw err;
          }
        }
        expect(Date.now() - started).toBeLessThan(TIME_LIMIT_MS);
      }),
      { numRuns: 3000, seed: Number(process.env.FC_SEED ?? 7) },
    );
  });

  it('header-value decoding never throws anything but a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), valueArb, fc.string().map((s) => `=?${s}?=`)), (value) => {
        try {
          expect(typeof decodeHeaderValue('x-amz-t', value)).toBe('string');
        } catch (err) {
          if (!(err instanceof ClientSideEncryptionError)) throw err;
        }
      }),
      { numRuns: 3000, seed: Number(process.env.FC_SEED ?? 7) },
    );
  });

  it('pathological instruction files (deep nesting, huge) fail fast with a typed error', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(() => decodeContentMetadata({ metadata: {}, instructionFile: deep })).toThrow(ClientSideEncryptionError);
    expect(() => decodeContentMetadata({ metadata: {}, instructionFile: Buffer.alloc(2 * 1024 * 1024, 0x20) })).toThrow(/instruction file is/);
    const deepMap = { 'x-amz-key-v2': 'AAAA', 'x-amz-iv': Buffer.alloc(12, 1).toString('base64'), 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'kms+context', 'x-amz-matdesc': `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}` };
    expect(() => decodeContentMetadata({ metadata: deepMap })).toThrow(ClientSideEncryptionError);
  });
});
