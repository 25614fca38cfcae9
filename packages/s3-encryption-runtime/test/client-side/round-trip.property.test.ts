/**
 * fast-check properties: anything encrypted decrypts to the same bytes, for sizes from 0 to a
 * few MiB, both formats, all keyrings, both metadata locations, every body API (buffer, stream,
 * multipart parts) and both authentication modes; and any single flipped bit is caught.
 * numRuns is bounded to keep the suite fast on 2 cores.
 */
import fc from 'fast-check';
import {
  ContentAuthenticationError, ContentFormat, MetadataStrategy, ObjectEncryptor,
} from '../../src/client-side';
import { chunkedStream, collect, decryptObserved, expectSameBytes, Fixture, FORMATS, KEYRING_KINDS, seededBytes, STRATEGIES } from './support/harness';

const MiB = 1024 * 1024;
/** Sizes: mostly small and around block and chunk boundaries, sometimes up to 3 MiB. */
const sizeArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(15, 16, 17, 31, 32, 33, 65535, 65536, 65537, MiB - 1, MiB, MiB + 1) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 * MiB }) },
);

describe('round-trip properties', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.restore());

  it('decrypt(encrypt(p)) = p for every format, keyring, metadata location, body API and authentication mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KEYRING_KINDS), fc.constantFrom(...FORMATS), fc.constantFrom(...STRATEGIES),
        sizeArb, fc.integer(), fc.integer({ min: 1, max: 300_000 }),
        fc.constantFrom('buffer', 'stream', 'parts'), fc.boolean(), fc.integer({ min: 1, max: 4096 }),
        async (kind, format, strategy, size, seed, chunk, api, delayed, partBlocks) => {
          const plaintext = seededBytes(seed, size);
          const chunkSize = Math.max(chunk, Math.ceil(size / 256)); // at most ~256 chunks per run
          const ec = kind === 'kms' ? { run: String(seed) } : undefined;
          const writer = fx.client(kind, { format, metadataStrategy: strategy });
          let body: Buffer;
          let metadata: Record<string, string>;
          let instructionFile: string | undefined;
          if (api === 'buffer') {
            ({ body, metadata, instructionFile } = await writer.encrypt(plaintext, { encryptionContext: ec }));
          } else if (api === 'stream') {
            const enc = await writer.encryptStream(chunkedStream(plaintext, chunkSize), { encryptionContext: ec });
            ({ metadata, instructionFile } = enc);
            body = await collect(enc.body);
          } else {
            const encryptor = await writer.createEncryptor({ encryptionContext: ec });
            const parts: Buffer[] = [];
            let lastSeen = 0;
            for await (const part of encryptor.encryptParts(chunkedStream(plaintext, chunkSize), partBlocks * 16 * 16)) {
              if (!part.isLast) expect(part.plaintextLength % 16).toBe(0);
              lastSeen += part.isLast ? 1 : 0;
              parts.push(part.body);
            }
            expect(lastSeen).toBe(1);
            body = Buffer.concat(parts);
            metadata = { ...encryptor.metadata };
            instructionFile = encryptor.instructionFile;
          }
          expect(body.length).toBe(ObjectEncryptor.ciphertextLength(size));
          expect('x-amz-c' in metadata).toBe(format === ContentFormat.V3);
          expect(instructionFile !== undefined).toBe(strategy === MetadataStrategy.INSTRUCTION_FILE);

          const reader = fx.client(kind, delayed ? { enableDelayedAuthentication: true } : {});
          const out = await reader.decryptStream({ body: chunkedStream(body, Math.max(1, chunkSize - 3)), metadata, instructionFile }, { encryptionContext: ec });
          expectSameBytes(await collect(out), plaintext);
        },
      ),
      { numRuns: 100, seed: Number(process.env.FC_SEED ?? 20251122), endOnFailure: true },
    );
  });

  it('a single flipped bit anywhere in the body is always caught, and buffered mode releases nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FORMATS), fc.integer({ min: 0, max: 200_000 }), fc.integer(), fc.nat(), fc.integer({ min: 0, max: 7 }),
        async (format, size, seed, position, bit) => {
          const obj = await fx.client('aes', { format }).encrypt(seededBytes(seed, size));
          obj.body[position % obj.body.length] ^= 1 << bit;
          const out = await decryptObserved(fx.client('aes'), obj, 4096);
          expect(out.error).toBeInstanceOf(ContentAuthenticationError);
          expect(out.releasedBytes).toBe(0);
        }),
      { numRuns: 40, seed: Number(process.env.FC_SEED ?? 20251122) },
    );
  });
});
