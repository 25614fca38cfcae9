import { type AlgorithmSuite } from '../algorithm-suite';
import { type MetadataStrategy } from '../content-format';
import { type WrappingAlgorithm } from '../keyrings/wrapping-algorithm';

/**
 * Everything an S3 Encryption Client stores about one object, independent of where it is stored
 * (object metadata or instruction file) and how (V1, V2 or V3 keys). Produced by the encoder on
 * write and by `decodeContentMetadata` on read; KEK rotation replaces only the key fields.
 */
export interface ContentMetadata {
  /** Metadata format version: 1 (`x-amz-key`), 2 (`x-amz-key-v2`) or 3 (`x-amz-3`). */
  readonly formatVersion: 1 | 2 | 3;
  /** Content-encryption suite. */
  readonly suite: AlgorithmSuite;
  /** The wrapped (encrypted) data key. */
  readonly encryptedDataKey: Buffer;
  /** How the data key is wrapped. */
  readonly wrappingAlgorithm: WrappingAlgorithm;
  /** KMS encryption context stored with a KMS wrap, including `aws:x-amz-cek-alg`; `{}` for raw-key wraps. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** Material description stored with a raw AES/RSA wrap; `{}` for KMS wraps. */
  readonly materialDescription: Readonly<Record<string, string>>;
  /** Content IV: 12 bytes for GCM (V2), 16 bytes for CBC (V1/legacy). Absent for V3. */
  readonly iv?: Buffer;
  /** V3 only: the 28-byte message id (HKDF salt). */
  readonly messageId?: Buffer;
  /** V3 only: the 28-byte key commitment. */
  readonly commitment?: Buffer;
  /** Informational plaintext length some writers store (V1/V2); never trusted for security. */
  readonly unencryptedContentLength?: number;
  /** Where the wrapped key and its description are stored. */
  readonly strategy: MetadataStrategy;
}

/** The metadata as it is stored: the S3 user-metadata map and, in instruction-file mode, the instruction file's body. */
export interface EncodedContentMetadata {
  /** User metadata for the object, keys without `x-amz-meta-` (pass as `Metadata` to PutObject/CreateMultipartUpload). */
  readonly metadata: Record<string, string>;
  /** JSON body of `<key>.instruction` when the strategy is INSTRUCTION_FILE. */
  readonly instructionFile?: string;
}
