import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { DATA_KEY_LENGTH } from '../algorithm-suite';
import { DataKeyUnwrapError, ClientSideConfigurationError, KeyringMismatchError } from '../errors';
import { type DataKeyUnwrapRequest, type DataKeyWrapRequest, type Keyring, type WrappedDataKey } from './keyring';
import { assertNoEncryptionContext, assertMaterialDescriptionMatches, toKeyObject, unwrappedDataKey, settled } from './raw-keyring-checks';
import { assertStringMap, frozenCopy } from './string-maps';
import { WrappingAlgorithm } from './wrapping-algorithm';

const WRAP_IV_LENGTH = 12;
const WRAP_TAG_LENGTH = 16;
const AES_GCM_EDK_LENGTH = WRAP_IV_LENGTH + DATA_KEY_LENGTH + WRAP_TAG_LENGTH; // 60
const RFC3394_DEFAULT_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
/** The only wrapping-key length new wraps use; 16 and 24 bytes are read-only. */
const WRITE_KEY_LENGTH = 32;

/** Options of {@link RawAesKeyring}. */
export interface RawAesKeyringProps {
  /**
   * The wrapping key, kept as a KeyObject: 32 bytes (AES-256) to encrypt and decrypt. A 16- or 24-byte key
   * (AES-128/192, which the Java and Ruby clients accept for writing) makes a decrypt-only keyring, for
   * reading objects those clients wrote; rotate them to an AES-256 key with `DataKeyRotation`.
   */
  readonly wrappingKey: Uint8Array | KeyObject;
  /**
   * Material description stored with every object (`x-amz-matdesc` / `x-amz-m`) and required to
   * match exactly on read, like the Java client's key selection. Not secret, not encrypted.
   * @default {}
   */
  readonly materialDescription?: Readonly<Record<string, string>>;
}

/**
 * Raw AES keyring (`AES/GCM`): the data key is AES-GCM-encrypted under your key with a fresh
 * 12-byte IV and the content-algorithm string as AAD; the stored value is IV ‖ ciphertext ‖ tag
 * (60 bytes). Reads legacy `AESWrap` (RFC 3394) and V1 AES-ECB wraps when legacy wrapping is enabled.
 * Wraps only under AES-256 keys, so a 256-bit data key is never protected by a weaker key;
 * AES-128/192 keys only unwrap.
 */
export class RawAesKeyring implements Keyring {
  /** @inheritdoc */
  public readonly name: string;
  readonly #key: KeyObject;
  readonly #materialDescription: Readonly<Record<string, string>>;

  constructor(props: RawAesKeyringProps) {
    if (!props) throw new ClientSideConfigurationError('RawAesKeyring needs props.wrappingKey.');
    this.#key = toKeyObject(props.wrappingKey);
    if (![16, 24, 32].includes(this.#key.symmetricKeySize ?? 0)) {
      throw new ClientSideConfigurationError(`RawAesKeyring needs a 32-byte (AES-256) wrapping key (16- and 24-byte keys are accepted for decrypting only, to read objects other clients wrote); got ${this.#key.symmetricKeySize ?? 0} bytes.`);
    }
    const md = props.materialDescription ?? {};
    assertStringMap('RawAesKeyring materialDescription', md);
    this.#materialDescription = frozenCopy(md);
    this.name = `RawAesKeyring(AES-${this.#key.symmetricKeySize! * 8})`;
  }

  /** @inheritdoc */
  public wrapDataKey(request: DataKeyWrapRequest): Promise<WrappedDataKey> {
    return settled(() => this.wrap(request));
  }

  /** @inheritdoc */
  public unwrapDataKey(request: DataKeyUnwrapRequest): Promise<KeyObject> {
    return settled(() => this.unwrap(request));
  }

  private wrap(request: DataKeyWrapRequest): WrappedDataKey {
    if (this.#key.symmetricKeySize !== WRITE_KEY_LENGTH) {
      throw new ClientSideConfigurationError(
        `${this.name} can only decrypt: new data keys are wrapped only under 32-byte (AES-256) keys, and this key has ${this.#key.symmetricKeySize! * 8} bits. ` +
          'Encrypt with an AES-256 key; to move existing objects to one, rotate them with DataKeyRotation (or the key-rotation handler).',
      );
    }
    assertNoEncryptionContext(request.encryptionContext, this.name);
    const dataKey = request.plaintextDataKey ?? createSecretKey(randomBytes(DATA_KEY_LENGTH));
    const iv = randomBytes(WRAP_IV_LENGTH);
    const cipher = createCipheriv(this.gcm(), this.#key, iv);
    cipher.setAAD(Buffer.from(request.suite.cekAlgorithm, 'utf8'));
    const raw = dataKey.export();
    const encrypted = Buffer.concat([iv, cipher.update(raw), cipher.final(), cipher.getAuthTag()]);
    raw.fill(0);
    return {
      plaintextDataKey: dataKey,
      encryptedDataKey: encrypted,
      wrappingAlgorithm: WrappingAlgorithm.AES_GCM,
      encryptionContext: {},
      materialDescription: this.#materialDescription,
    };
  }

  private unwrap(request: DataKeyUnwrapRequest): KeyObject {
    const edk = request.encryptedDataKey;
    switch (request.wrappingAlgorithm) {
      case WrappingAlgorithm.AES_GCM: {
        this.checkCommon(request);
        if (edk.length !== AES_GCM_EDK_LENGTH) throw new DataKeyUnwrapError(`an AES/GCM wrapped key is ${AES_GCM_EDK_LENGTH} bytes, this one is ${edk.length}.`);
        const decipher = createDecipheriv(this.gcm(), this.#key, edk.subarray(0, WRAP_IV_LENGTH));
        decipher.setAAD(Buffer.from(request.suite.cekAlgorithm, 'utf8'));
        decipher.setAuthTag(edk.subarray(AES_GCM_EDK_LENGTH - WRAP_TAG_LENGTH));
        return this.finish(() => Buffer.concat([decipher.update(edk.subarray(WRAP_IV_LENGTH, AES_GCM_EDK_LENGTH - WRAP_TAG_LENGTH)), decipher.final()]),
          'the AES/GCM wrap did not authenticate (wrong wrapping key, a modified wrapped key, or a content algorithm that was changed).');
      }
      case WrappingAlgorithm.LEGACY_AES_WRAP: {
        this.checkCommon(request);
        if (edk.length !== DATA_KEY_LENGTH + 8) throw new DataKeyUnwrapError(`an AESWrap wrapped key is ${DATA_KEY_LENGTH + 8} bytes, this one is ${edk.length}.`);
        const decipher = createDecipheriv(`id-aes${this.#key.symmetricKeySize! * 8}-wrap`, this.#key, RFC3394_DEFAULT_IV);
        return this.finish(() => Buffer.concat([decipher.update(edk), decipher.final()]), 'the RFC 3394 AESWrap integrity check failed (wrong wrapping key or a modified wrapped key).');
      }
      case WrappingAlgorithm.LEGACY_UNLABELLED: {
        this.checkCommon(request);
        if (edk.length !== 48) throw new DataKeyUnwrapError(`a V1 AES-ECB wrapped 256-bit key is 48 bytes, this one is ${edk.length} (an RSA-wrapped V1 object needs an RsaKeyring).`);
        const decipher = createDecipheriv(`aes-${this.#key.symmetricKeySize! * 8}-ecb`, this.#key, null);
        return this.finish(() => Buffer.concat([decipher.update(edk), decipher.final()]), 'the V1 AES-ECB wrap has invalid padding (wrong wrapping key or a modified wrapped key).');
      }
      default:
        throw new KeyringMismatchError(request.wrappingAlgorithm, this.name);
    }
  }

  private checkCommon(request: DataKeyUnwrapRequest): void {
    assertNoEncryptionContext(request.expectedEncryptionContext, this.name);
    assertMaterialDescriptionMatches(request.materialDescription, this.#materialDescription);
  }

  private finish(unwrap: () => Buffer, failure: string): KeyObject {
    let raw: Buffer;
    try {
      raw = unwrap();
    } catch (err) {
      throw new DataKeyUnwrapError(failure, { cause: err });
    }
    return unwrappedDataKey(raw);
  }

  private gcm(): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
    return `aes-${this.#key.symmetricKeySize! * 8}-gcm` as 'aes-256-gcm';
  }
}
