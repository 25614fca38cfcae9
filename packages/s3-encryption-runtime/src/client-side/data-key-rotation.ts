import { type KMSClient, ReEncryptCommand } from '@aws-sdk/client-kms';
import { boundedList } from '../bounded-text';
import { ClientSideEncryption } from './client-side-encryption';
import { CommitmentPolicy } from './commitment-policy';
import {
  ClientSideConfigurationError,
  ClientSideEncryptionError,
  ClientSideUsageError,
  DataKeyUnwrapError,
  EncryptionContextMismatchError,
  KeyringMismatchError,
  KmsRequestError,
  MaterialDescriptionMismatchError,
} from './errors';
import type { Keyring } from './keyrings/keyring';
import { KmsKeyring, LEGACY_KMS_CMK_ID_CONTEXT_KEY, RESERVED_CEK_ALG_CONTEXT_KEY } from './keyrings/kms-keyring';
import { withoutKeys } from './keyrings/string-maps';
import { isLegacyWrappingAlgorithm, WrappingAlgorithm } from './keyrings/wrapping-algorithm';
import type { ContentMetadata } from './metadata/content-metadata';
import type { StoredContentMetadata } from './metadata/decode-metadata';

/** A key-encryption key that rotation unwraps data keys from, or wraps them to. */
export interface RotationKey {
  /** Non-secret description for results and errors, e.g. `KMS key arn:aws:kms:...` or `raw AES key from secret app/kek AWSCURRENT`. */
  readonly description: string;
  /** The keyring that unwraps and wraps with this key. */
  readonly keyring: Keyring;
  /** For KMS keys: the key id and client, so data keys move between KMS keys with ReEncrypt, never leaving KMS. */
  readonly kms?: { readonly client: KMSClient; readonly keyId: string; readonly grantTokens?: string[] };
}

/** A KMS key as a {@link RotationKey}. */
export function kmsRotationKey(props: { readonly client: KMSClient; readonly keyId: string; readonly grantTokens?: string[] }): RotationKey {
  if (!props?.client || !props.keyId) throw new ClientSideConfigurationError('kmsRotationKey needs a KMSClient and a keyId.');
  return {
    description: `KMS key ${props.keyId}`,
    keyring: new KmsKeyring({ client: props.client, keyId: props.keyId, grantTokens: props.grantTokens }),
    kms: { client: props.client, keyId: props.keyId, grantTokens: props.grantTokens },
  };
}

/** Any keyring (raw AES, RSA, your own) as a {@link RotationKey}. */
export function keyringRotationKey(keyring: Keyring, description: string = keyring.name): RotationKey {
  if (!keyring || typeof keyring.unwrapDataKey !== 'function') throw new ClientSideConfigurationError('keyringRotationKey needs a Keyring.');
  return { description, keyring };
}

/** What {@link DataKeyRotation.rewrap} did. */
export type DataKeyRewrapOutcome =
  /** The data key was re-wrapped: store `contentMetadata` (only the wrapped key, its algorithm and its description changed). */
  | { readonly outcome: 'rewrapped'; readonly contentMetadata: ContentMetadata; readonly from: RotationKey; readonly method: 'kms-reencrypt' | 'unwrap-and-wrap' }
  /** The data key is already wrapped under the new key: nothing to do. */
  | { readonly outcome: 'already-current' };

/** Options of {@link DataKeyRotation}. */
export interface DataKeyRotationProps {
  /** The keys objects are wrapped under now, tried in order. */
  readonly from: readonly RotationKey[];
  /** The key to wrap data keys under. */
  readonly to: RotationKey;
}

/**
 * Key-encryption-key rotation of one object's stored metadata: unwraps the data key with one of the
 * old keys and wraps the same data key under the new one. The body, IV, message id and key commitment
 * are not touched and stay valid. Idempotent: an object already under the new key is reported as such.
 *
 * - KMS to KMS (`kms+context` objects): KMS ReEncrypt with the object's encryption context; the data key
 *   never leaves KMS (kms:ReEncryptFrom on the old keys, kms:ReEncryptTo on the new one).
 * - Otherwise: unwrap (checking the V3 key commitment in constant time) and wrap (kms:Decrypt on an old
 *   KMS key, kms:Encrypt on a new one).
 * - "Already under the new key" is checked only after no old key opened it: with ReEncrypt from the new
 *   key to itself for KMS (no kms:Decrypt needed), by unwrapping for other keyrings.
 * The KMS encryption context is carried over unchanged. Legacy objects (V1, AES-CBC, legacy wraps)
 * cannot be re-wrapped: re-encrypt them instead.
 */
export class DataKeyRotation {
  /** The old keys. */
  public readonly from: readonly RotationKey[];
  /** The new key. */
  public readonly to: RotationKey;
  /** A reader per old key (same order as `from`), and one for the new key: built once, used for every object. */
  readonly #readers: readonly ClientSideEncryption[];
  readonly #newKeyReader: ClientSideEncryption;

  constructor(props: DataKeyRotationProps) {
    if (!props?.to || !isList(props.from) || props.from.length === 0) {
      throw new ClientSideConfigurationError('DataKeyRotation needs at least one old key (from) and the new key (to).');
    }
    this.from = Array.from<RotationKey>(props.from);
    this.to = props.to;
    const reader = (key: RotationKey) => new ClientSideEncryption({ keyring: key.keyring, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT });
    this.#readers = this.from.map(reader);
    this.#newKeyReader = reader(this.to);
  }

  /** Re-wraps the data key of one object whose stored metadata is `stored` (decoded as `md`). */
  public async rewrap(stored: StoredContentMetadata, md: ContentMetadata): Promise<DataKeyRewrapOutcome> {
    if (md.formatVersion === 1 || md.suite.legacy || isLegacyWrappingAlgorithm(md.wrappingAlgorithm)) {
      throw new ClientSideUsageError('Legacy objects (V1, AES-CBC or legacy key wraps) cannot be re-wrapped; decrypt and re-encrypt them in V3 instead.');
    }
    const kmsObject = md.wrappingAlgorithm === WrappingAlgorithm.KMS_CONTEXT;
    if (kmsObject && md.encryptionContext[RESERVED_CEK_ALG_CONTEXT_KEY] !== md.suite.cekAlgorithm) {
      throw new EncryptionContextMismatchError(`${RESERVED_CEK_ALG_CONTEXT_KEY} does not match the object's content algorithm ${JSON.stringify(md.suite.cekAlgorithm)} (possible algorithm downgrade).`);
    }
    const userContext = withoutKeys(md.encryptionContext, [RESERVED_CEK_ALG_CONTEXT_KEY, LEGACY_KMS_CMK_ID_CONTEXT_KEY]);
    if (!this.to.kms && Object.keys(userContext).length > 0) {
      throw new ClientSideUsageError(
        `The object has a KMS encryption context (${boundedList(Object.keys(userContext))}), which a wrap under ${this.to.description} cannot carry; rotate it to another KMS key instead.`,
      );
    }

    let notThisKey: unknown;
    for (const [i, from] of this.from.entries()) {
      try {
        if (kmsObject && from.kms && this.to.kms) {
          const blob = await reEncrypt(from.kms, this.to.kms, md.encryptedDataKey, md.encryptionContext);
          return { outcome: 'rewrapped', from, method: 'kms-reencrypt', contentMetadata: { ...md, encryptedDataKey: blob } };
        }
        const { contentMetadata } = await this.#readers[i].rewrap(stored, this.to.keyring, {
          encryptionContext: userContext,
          newEncryptionContext: this.to.kms ? userContext : {},
          metadataStrategy: md.strategy,
        });
        return { outcome: 'rewrapped', from, method: 'unwrap-and-wrap', contentMetadata };
      } catch (err) {
        if (!isNotThisKey(err)) throw err;
        notThisKey = err;
      }
    }
    if (await this.isUnderNewKey(stored, md, userContext)) return { outcome: 'already-current' };
    throw new DataKeyUnwrapError(
      `the data key is wrapped under none of the old keys (${this.from.map((k) => k.description).join(', ')}) and not under the new key (${this.to.description}).`,
      { cause: notThisKey },
    );
  }

  private async isUnderNewKey(stored: StoredContentMetadata, md: ContentMetadata, userContext: Record<string, string>): Promise<boolean> {
    try {
      if (this.to.kms) {
        if (md.wrappingAlgorithm !== WrappingAlgorithm.KMS_CONTEXT) return false;
        await reEncrypt(this.to.kms, this.to.kms, md.encryptedDataKey, md.encryptionContext); // proves the key without revealing it
        return true;
      }
      await this.#newKeyReader.createDecryptor(stored, { encryptionContext: userContext }); // unwraps and checks the V3 commitment
      return true;
    } catch (err) {
      if (isNotThisKey(err)) return false;
      throw err;
    }
  }
}

/** Errors that mean "this key does not open this object" (as opposed to tampering, permissions or throttling). */
function isNotThisKey(err: unknown): boolean {
  return err instanceof DataKeyUnwrapError || err instanceof KeyringMismatchError || err instanceof MaterialDescriptionMismatchError;
}

async function reEncrypt(
  from: NonNullable<RotationKey['kms']>,
  to: NonNullable<RotationKey['kms']>,
  blob: Buffer,
  encryptionContext: Readonly<Record<string, string>>,
): Promise<Buffer> {
  let out;
  try {
    out = await from.client.send(new ReEncryptCommand({
      CiphertextBlob: blob,
      SourceKeyId: from.keyId,
      SourceEncryptionContext: { ...encryptionContext },
      DestinationKeyId: to.keyId,
      DestinationEncryptionContext: { ...encryptionContext },
      GrantTokens: to.grantTokens ?? from.grantTokens,
    }));
  } catch (err) {
    if (err instanceof ClientSideEncryptionError) throw err;
    const name = (err as { name?: string }).name;
    if (name === 'IncorrectKeyException' || name === 'InvalidCiphertextException') {
      throw new DataKeyUnwrapError(`KMS ReEncrypt rejected the wrapped key (${name}): it is not encrypted under ${from.keyId} with this encryption context, or it was modified.`, { cause: err });
    }
    throw new KmsRequestError('ReEncrypt', `${from.keyId} → ${to.keyId}`, { cause: err });
  }
  if (!out.CiphertextBlob || out.CiphertextBlob.length === 0) throw new KmsRequestError('ReEncrypt', to.keyId, { cause: new Error('KMS returned no CiphertextBlob') });
  return Buffer.from(out.CiphertextBlob);
}

/** Array.isArray without narrowing a readonly array to `any[]`. */
function isList<T>(value: readonly T[] | undefined): value is readonly T[] {
  return Array.isArray(value);
}
