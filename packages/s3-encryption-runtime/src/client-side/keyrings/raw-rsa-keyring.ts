import {
  constants, createPrivateKey, createPublicKey, createSecretKey, KeyObject, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual,
} from 'node:crypto';
import { DATA_KEY_LENGTH } from '../algorithm-suite';
import { DataKeyUnwrapError, ClientSideConfigurationError, KeyringMismatchError, UnsupportedLegacyAlgorithmError } from '../errors';
import { type DataKeyUnwrapRequest, type DataKeyWrapRequest, type Keyring, type WrappedDataKey } from './keyring';
import { assertMaterialDescriptionMatches, assertNoEncryptionContext, unwrappedDataKey, settled } from './raw-keyring-checks';
import { assertStringMap, frozenCopy } from './string-maps';
import { WrappingAlgorithm } from './wrapping-algorithm';

/** Smallest modulus this keyring wraps new data keys with. */
const MIN_MODULUS_BITS = 2048;

/** Options of {@link RawRsaKeyring}. */
export interface RawRsaKeyringProps {
  /** Public key (PEM text or KeyObject) used to wrap. @default derived from `privateKey` */
  readonly publicKey?: string | Buffer | KeyObject;
  /** Private key (PEM text or KeyObject) used to unwrap. Without it the keyring can only encrypt. @default none */
  readonly privateKey?: string | Buffer | KeyObject;
  /**
   * Material description stored with every object and required to match exactly on read.
   * @default {}
   */
  readonly materialDescription?: Readonly<Record<string, string>>;
}

/**
 * RSA keyring (`RSA-OAEP-SHA1`): the RSA plaintext is a pseudo data key, one length byte (0x20),
 * the data key and the content-algorithm string (`AES/GCM/NoPadding` for V2, `115` for V3),
 * encrypted with RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label). The suffix is compared in
 * constant time on read. Legacy `RSA/ECB/OAEPWithSHA-256AndMGF1Padding` is read (SHA-256 for
 * OAEP and MGF1) with legacy wrapping enabled; V1 PKCS#1 v1.5 wraps need a Node.js that still
 * allows PKCS#1 v1.5 decryption (Node ≥ 20 refuses it by default).
 */
export class RawRsaKeyring implements Keyring {
  /** @inheritdoc */
  public readonly name: string;
  readonly #publicKey?: KeyObject;
  readonly #privateKey?: KeyObject;
  readonly #materialDescription: Readonly<Record<string, string>>;
  readonly #modulusBits: number;

  constructor(props: RawRsaKeyringProps) {
    if (!props || (!props.publicKey && !props.privateKey)) {
      throw new ClientSideConfigurationError('RawRsaKeyring needs publicKey (to encrypt), privateKey (to decrypt and encrypt), or both.');
    }
    this.#privateKey = props.privateKey ? load('private', props.privateKey) : undefined;
    this.#publicKey = props.publicKey ? load('public', props.publicKey) : createPublicKey(this.#privateKey!);
    const md = props.materialDescription ?? {};
    assertStringMap('RawRsaKeyring materialDescription', md);
    this.#materialDescription = frozenCopy(md);
    this.#modulusBits = this.#publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    this.name = `RawRsaKeyring(RSA-${this.#modulusBits || '?'})`;
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
    assertNoEncryptionContext(request.encryptionContext, this.name);
    if (this.#modulusBits < MIN_MODULUS_BITS) {
      throw new ClientSideConfigurationError(`RawRsaKeyring wraps only with RSA keys of at least ${MIN_MODULUS_BITS} bits; this one has ${this.#modulusBits}.`);
    }
    const dataKey = request.plaintextDataKey ?? createSecretKey(randomBytes(DATA_KEY_LENGTH));
    const raw = dataKey.export();
    const pseudo = Buffer.concat([Buffer.from([raw.length]), raw, Buffer.from(request.suite.cekAlgorithm, 'utf8')]);
    raw.fill(0);
    const encrypted = publicEncrypt({ key: this.#publicKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, pseudo);
    pseudo.fill(0);
    return {
      plaintextDataKey: dataKey,
      encryptedDataKey: encrypted,
      wrappingAlgorithm: WrappingAlgorithm.RSA_OAEP_SHA1,
      encryptionContext: {},
      materialDescription: this.#materialDescription,
    };
  }

  private unwrap(request: DataKeyUnwrapRequest): KeyObject {
    const alg = request.wrappingAlgorithm;
    if (alg !== WrappingAlgorithm.RSA_OAEP_SHA1 && alg !== WrappingAlgorithm.LEGACY_RSA_OAEP_SHA256 && alg !== WrappingAlgorithm.LEGACY_UNLABELLED) {
      throw new KeyringMismatchError(alg, this.name);
    }
    if (!this.#privateKey) throw new ClientSideConfigurationError(`${this.name} has no private key, so it cannot decrypt. Pass privateKey.`);
    assertNoEncryptionContext(request.expectedEncryptionContext, this.name);
    assertMaterialDescriptionMatches(request.materialDescription, this.#materialDescription);

    if (alg === WrappingAlgorithm.RSA_OAEP_SHA1) {
      const pseudo = this.decrypt(request.encryptedDataKey, { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, 'RSA-OAEP-SHA1');
      try {
        return parsePseudoDataKey(pseudo, request.suite.cekAlgorithm);
      } finally {
        pseudo.fill(0);
      }
    }
    if (alg === WrappingAlgorithm.LEGACY_RSA_OAEP_SHA256) {
      return unwrappedDataKey(this.decrypt(request.encryptedDataKey, { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        'RSA/ECB/OAEPWithSHA-256AndMGF1Padding (node:crypto uses SHA-256 for MGF1 too; objects written by SunJCE with MGF1-SHA-1 cannot be read)'));
    }
    try {
      return unwrappedDataKey(privateDecrypt({ key: this.#privateKey, padding: constants.RSA_PKCS1_PADDING }, request.encryptedDataKey));
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_INVALID_ARG_VALUE') {
        throw new UnsupportedLegacyAlgorithmError(
          'This V1 object\'s data key is wrapped with RSA PKCS#1 v1.5, and this Node.js refuses PKCS#1 v1.5 decryption (CVE-2023-46809, the Marvin attack). ' +
            'Decrypt and re-encrypt it with another S3 encryption client that still reads V1 (for example Java or .NET with a legacy security profile), ' +
            'or, only on an isolated machine, run Node.js with --security-revert=CVE-2023-46809.',
          { cause: err },
        );
      }
      throw new DataKeyUnwrapError('the V1 RSA PKCS#1 v1.5 wrap did not decrypt (wrong private key or a modified wrapped key).', { cause: err });
    }
  }

  private decrypt(edk: Buffer, options: { padding: number; oaepHash: string }, what: string): Buffer {
    try {
      return privateDecrypt({ key: this.#privateKey!, ...options }, edk);
    } catch (err) {
      throw new DataKeyUnwrapError(`the ${what} wrap did not decrypt (wrong private key or a modified wrapped key).`, { cause: err });
    }
  }
}

function parsePseudoDataKey(pseudo: Buffer, cekAlgorithm: string): KeyObject {
  const expectedSuffix = Buffer.from(cekAlgorithm, 'utf8');
  const keyLength = pseudo.length > 0 ? pseudo[0] : 0;
  const suffix = pseudo.subarray(1 + keyLength);
  // Constant-time comparison of the algorithm suffix (lengths are public: they follow from the algorithm).
  const suffixOk = keyLength === DATA_KEY_LENGTH && pseudo.length === 1 + keyLength + expectedSuffix.length
    && timingSafeEqual(suffix, expectedSuffix);
  if (!suffixOk) {
    throw new DataKeyUnwrapError(`the RSA-wrapped key is not bound to the content algorithm ${JSON.stringify(cekAlgorithm)} (modified metadata, or a key of unsupported length).`);
  }
  return createSecretKey(pseudo.subarray(1, 1 + keyLength));
}

function load(kind: 'public' | 'private', key: string | Buffer | KeyObject): KeyObject {
  let obj: KeyObject;
  try {
    obj = key instanceof KeyObject ? ownCopy(key) : kind === 'private' ? createPrivateKey(key) : createPublicKey(key);
  } catch {
    // no cause attached: parser errors may quote parts of the key
    throw new ClientSideConfigurationError(`RawRsaKeyring could not read the ${kind} key: it must be an unencrypted PEM RSA ${kind} key (or a KeyObject).`);
  }
  if (obj.asymmetricKeyType !== 'rsa') throw new ClientSideConfigurationError(`RawRsaKeyring needs an RSA ${kind} key; got ${obj.asymmetricKeyType ?? obj.type}.`);
  if (kind === 'private' && obj.type !== 'private') throw new ClientSideConfigurationError('RawRsaKeyring privateKey is not a private key.');
  return kind === 'public' && obj.type === 'private' ? createPublicKey(obj) : obj;
}

/**
 * A KeyObject with its own native key handle. Node 20 can deadlock when a key made by
 * `generateKeyPair(Sync)` is read (e.g. `asymmetricKeyDetails`) while the garbage collector
 * finalizes the generation job that shares its lock; a re-imported copy shares nothing with it.
 */
function ownCopy(key: KeyObject): KeyObject {
  if (key.type === 'private') return createPrivateKey({ key: key.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });
  if (key.type === 'public') return createPublicKey({ key: key.export({ format: 'der', type: 'spki' }), format: 'der', type: 'spki' });
  return key;
}
