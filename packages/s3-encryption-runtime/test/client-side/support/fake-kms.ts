import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import {
  DecryptCommand, type DecryptCommandInput, EncryptCommand, type EncryptCommandInput, GenerateDataKeyCommand, type GenerateDataKeyCommandInput,
  IncorrectKeyException, InvalidCiphertextException, KMSClient, NotFoundException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/**
 * An in-process stand-in for AWS KMS behind aws-sdk-client-mock (nothing real runs here).
 * It behaves like KMS rather than returning canned answers: every key is a random AES-256 key,
 * ciphertext blobs really are AES-GCM encryptions of the plaintext under that key with the
 * canonical encryption context as AAD, and Decrypt fails with InvalidCiphertextException when the
 * blob or the encryption context was changed, and with IncorrectKeyException when KeyId names
 * another key, as KMS does.
 */
export class FakeKms {
  public readonly mock = mockClient(KMSClient);
  /** Every request received, in order, for assertions. */
  public readonly requests: Array<{ op: string; input: unknown }> = [];
  private readonly keys = new Map<string, Buffer>(); // ARN → key material
  private readonly aliases = new Map<string, string>(); // alias name → ARN

  constructor() {
    this.mock.on(GenerateDataKeyCommand).callsFake(async (input: GenerateDataKeyCommandInput) => this.generateDataKey(input));
    this.mock.on(EncryptCommand).callsFake(async (input: EncryptCommandInput) => this.encryptCmd(input));
    this.mock.on(DecryptCommand).callsFake(async (input: DecryptCommandInput) => this.decryptCmd(input));
  }

  /** Creates a key and returns its ARN; `alias` (e.g. `alias/app`) also resolves to it. */
  public createKey(alias?: string): string {
    const arn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${randomUUID()}`;
    this.keys.set(arn, randomBytes(32));
    if (alias) this.aliases.set(alias, arn);
    return arn;
  }

  /** What `KMS.Encrypt` returns for this plaintext: lets tests wrap a known data key (e.g. from a published vector). */
  public encryptBlob(keyId: string, plaintext: Uint8Array, encryptionContext: Record<string, string> = {}): Buffer {
    const arn = this.resolve(keyId);
    if (!arn) throw new Error(`unknown test key ${keyId}`);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(arn)!, iv);
    cipher.setAAD(canonicalContext(encryptionContext));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const arnBytes = Buffer.from(arn, 'utf8');
    const header = Buffer.alloc(2);
    header.writeUInt16BE(arnBytes.length);
    return Buffer.concat([header, arnBytes, iv, ct, cipher.getAuthTag()]);
  }

  /** Stops intercepting KMSClient. */
  public restore(): void {
    this.mock.restore();
  }

  private generateDataKey(input: GenerateDataKeyCommandInput) {
    this.requests.push({ op: 'GenerateDataKey', input });
    const arn = this.resolveOrThrow(input.KeyId);
    if (input.KeySpec !== 'AES_256' && input.NumberOfBytes !== 32) throw new Error('fake KMS: test only supports 32-byte data keys');
    const plaintext = randomBytes(32);
    return { KeyId: arn, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(this.encryptBlob(arn, plaintext, input.EncryptionContext ?? {})), $metadata: {} };
  }

  private encryptCmd(input: EncryptCommandInput) {
    this.requests.push({ op: 'Encrypt', input });
    const arn = this.resolveOrThrow(input.KeyId);
    return { KeyId: arn, CiphertextBlob: new Uint8Array(this.encryptBlob(arn, input.Plaintext!, input.EncryptionContext ?? {})), $metadata: {} };
  }

  private decryptCmd(input: DecryptCommandInput) {
    this.requests.push({ op: 'Decrypt', input });
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
    const invalid = () => new InvalidCiphertextException({ message: 'fake KMS: the ciphertext is invalid', $metadata: {} });
    if (blob.length < 2) throw invalid();
    const arnLength = blob.readUInt16BE(0);
    if (blob.length < 2 + arnLength + 12 + 16) throw invalid();
    const arn = blob.subarray(2, 2 + arnLength).toString('utf8');
    const key = this.keys.get(arn);
    if (!key) throw invalid();
    if (input.KeyId !== undefined && this.resolve(input.KeyId) !== arn) {
      throw new IncorrectKeyException({ message: 'fake KMS: the key ID in the request does not identify the key that encrypted the ciphertext', $metadata: {} });
    }
    const iv = blob.subarray(2 + arnLength, 2 + arnLength + 12);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(canonicalContext(input.EncryptionContext ?? {}));
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    try {
      const plaintext = Buffer.concat([decipher.update(blob.subarray(2 + arnLength + 12, blob.length - 16)), decipher.final()]);
      return { KeyId: arn, Plaintext: new Uint8Array(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const, $metadata: {} };
    } catch {
      throw invalid();
    }
  }

  private resolve(keyId: string | undefined): string | undefined {
    if (!keyId) return undefined;
    if (this.keys.has(keyId)) return keyId;
    const bare = keyId.startsWith('arn:aws:kms:') && keyId.includes(':alias/') ? keyId.slice(keyId.indexOf('alias/')) : keyId;
    if (this.aliases.has(bare)) return this.aliases.get(bare);
    return [...this.keys.keys()].find((arn) => arn.endsWith(`:key/${keyId}`));
  }

  private resolveOrThrow(keyId: string | undefined): string {
    const arn = this.resolve(keyId);
    if (!arn) throw new NotFoundException({ message: `fake KMS: key ${keyId} does not exist`, $metadata: {} });
    return arn;
  }
}

/** KMS binds the encryption context regardless of key order. */
function canonicalContext(ec: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(Object.entries(ec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'utf8');
}
