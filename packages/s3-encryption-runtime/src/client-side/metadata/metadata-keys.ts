/**
 * S3 Encryption Client metadata keys, as they appear in the SDK's `Metadata` map (S3 sends them as
 * `x-amz-meta-` + key; the SDK adds and strips that prefix) and as members of an instruction file.
 */
export const MetadataKeys = {
  /** V1: base64 wrapped data key. */
  KEY_V1: 'x-amz-key',
  /** V2: base64 wrapped data key. */
  KEY_V2: 'x-amz-key-v2',
  /** V1/V2: base64 content IV. */
  IV: 'x-amz-iv',
  /** V1/V2: material description or KMS encryption context (JSON). */
  MATDESC: 'x-amz-matdesc',
  /** V2: wrapping algorithm. */
  WRAP_ALG: 'x-amz-wrap-alg',
  /** V2: content algorithm. */
  CEK_ALG: 'x-amz-cek-alg',
  /** V2: GCM tag length in bits (`128`). */
  TAG_LEN: 'x-amz-tag-len',
  /** V1/V2: informational plaintext length. */
  UNENCRYPTED_CONTENT_LENGTH: 'x-amz-unencrypted-content-length',
  /** V3: content algorithm (`115`). Always on the object. */
  V3_CONTENT_ALG: 'x-amz-c',
  /** V3: base64 wrapped data key. */
  V3_KEY: 'x-amz-3',
  /** V3: wrapping algorithm code (`02`, `12`, `22`). */
  V3_WRAP_ALG: 'x-amz-w',
  /** V3: base64 key commitment. Always on the object. */
  V3_COMMITMENT: 'x-amz-d',
  /** V3: base64 message id. Always on the object. */
  V3_MESSAGE_ID: 'x-amz-i',
  /** V3: material description of raw-key wraps (JSON). */
  V3_MATDESC: 'x-amz-m',
  /** V3: KMS encryption context (JSON). */
  V3_ENCRYPTION_CONTEXT: 'x-amz-t',
  /** Marker on the instruction-file object itself (empty value). */
  INSTRUCTION_FILE_MARKER: 'x-amz-crypto-instr-file',
} as const;

/** Every metadata key this module reads or writes on an encrypted object. */
export const ALL_CONTENT_METADATA_KEYS: readonly string[] = [
  MetadataKeys.KEY_V1, MetadataKeys.KEY_V2, MetadataKeys.IV, MetadataKeys.MATDESC, MetadataKeys.WRAP_ALG,
  MetadataKeys.CEK_ALG, MetadataKeys.TAG_LEN, MetadataKeys.UNENCRYPTED_CONTENT_LENGTH, MetadataKeys.V3_CONTENT_ALG,
  MetadataKeys.V3_KEY, MetadataKeys.V3_WRAP_ALG, MetadataKeys.V3_COMMITMENT, MetadataKeys.V3_MESSAGE_ID,
  MetadataKeys.V3_MATDESC, MetadataKeys.V3_ENCRYPTION_CONTEXT,
];

/** V1/V2 keys that must never appear on a V3 object (`x-amz-unencrypted-content-length` is tolerated: it is informational). */
export const V1_V2_ONLY_KEYS: readonly string[] = [
  MetadataKeys.KEY_V1, MetadataKeys.KEY_V2, MetadataKeys.IV, MetadataKeys.MATDESC, MetadataKeys.WRAP_ALG,
  MetadataKeys.CEK_ALG, MetadataKeys.TAG_LEN,
];

/** V3 keys that stay on the object and must never appear in a V3 instruction file. */
export const V3_OBJECT_ONLY_KEYS: readonly string[] = [MetadataKeys.V3_CONTENT_ALG, MetadataKeys.V3_COMMITMENT, MetadataKeys.V3_MESSAGE_ID];

/** V3 keys that move to the instruction file in instruction-file mode. */
export const V3_INSTRUCTION_FILE_KEYS: readonly string[] = [
  MetadataKeys.V3_KEY, MetadataKeys.V3_WRAP_ALG, MetadataKeys.V3_MATDESC, MetadataKeys.V3_ENCRYPTION_CONTEXT,
];

/** Default suffix of instruction files. */
export const INSTRUCTION_FILE_SUFFIX = '.instruction';
