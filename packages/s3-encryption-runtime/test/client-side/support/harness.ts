import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ClientSideEncryption, type ClientSideEncryptionConfig, ContentFormat, type EncryptedObject, MetadataStrategy, type StoredContentMetadata,
} from '../../../src/client-side';
import { FakeKms } from './fake-kms';
import { keyringsFor } from './keyrings';

export type KeyringKind = 'aes' | 'rsa' | 'kms';
export const KEYRING_KINDS: KeyringKind[] = ['aes', 'rsa', 'kms'];
export const FORMATS: ContentFormat[] = [ContentFormat.V3, ContentFormat.V2];
export const STRATEGIES: MetadataStrategy[] = [MetadataStrategy.OBJECT_METADATA, MetadataStrategy.INSTRUCTION_FILE];

/** Deterministic pseudo-random bytes (AES-CTR keystream of a seed), so fast-check can shrink and replay. */
export function seededBytes(seed: number, length: number): Buffer {
  const key = Buffer.alloc(32);
  key.writeInt32BE(seed | 0);
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** Splits a buffer into a stream of chunks of the given size. */
export function chunkedStream(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The outcome of a streamed decryption: the plaintext or the error, and how many plaintext bytes left the stream. */
export interface DecryptOutcome {
  readonly plaintext?: Buffer;
  readonly error?: unknown;
  readonly releasedBytes: number;
}

/** Decrypts through decryptStream (buffered unless configured otherwise), counting every released byte. */
export async function decryptObserved(client: ClientSideEncryption, stored: StoredContentMetadata & { body: Buffer }, chunkSize = 7,
  options: { encryptionContext?: Record<string, string> } = {}): Promise<DecryptOutcome> {
  let released = 0;
  try {
    const out = await client.decryptStream({ ...stored, body: chunkedStream(stored.body, chunkSize) }, options);
    const chunks: Buffer[] = [];
    for await (const c of out) {
      released += (c as Buffer).length;
      chunks.push(c as Buffer);
    }
    return { plaintext: Buffer.concat(chunks), releasedBytes: released };
  } catch (error) {
    return { error, releasedBytes: released };
  }
}

/** A FakeKms plus the three keyring kinds and a client factory. */
export class Fixture {
  public readonly kms = new FakeKms();
  /** The raw AES wrapping key of the 'aes' keyring (tests check it never appears in errors). */
  public readonly aesKey = randomBytes(32);
  private readonly keyrings = keyringsFor(this.kms, this.aesKey);

  public client(kind: KeyringKind, config: Omit<ClientSideEncryptionConfig, 'keyring'> = {}): ClientSideEncryption {
    return new ClientSideEncryption({ keyring: this.keyrings[kind](), ...config });
  }

  public async encrypt(kind: KeyringKind, format: ContentFormat, strategy: MetadataStrategy, plaintext: Buffer,
    encryptionContext?: Record<string, string>): Promise<EncryptedObject> {
    return this.client(kind, { format, metadataStrategy: strategy }).encrypt(plaintext, kind === 'kms' ? { encryptionContext } : {});
  }

  public restore(): void {
    this.kms.restore();
  }
}

/** Byte equality without jest's element-by-element diff (which takes seconds on MiB buffers). */
export function expectSameBytes(actual: Buffer | undefined, expected: Buffer): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  expect(actual!.equals(expected)).toBe(true);
}
