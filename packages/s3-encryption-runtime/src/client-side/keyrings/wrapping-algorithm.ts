/**
 * Key-wrapping algorithms, by the strings V1/V2 metadata stores in `x-amz-wrap-alg`.
 * Only the first three are written; the legacy ones are read behind `enableLegacyWrappingAlgorithms`.
 */
export enum WrappingAlgorithm {
  /** AWS KMS with the content algorithm bound into the encryption context (V3 code `12`). */
  KMS_CONTEXT = 'kms+context',
  /** Raw AES key, AES-GCM wrap with the content algorithm as AAD (V3 code `02`). */
  AES_GCM = 'AES/GCM',
  /** Raw RSA key pair, RSA-OAEP with SHA-1 over a pseudo data key that ends in the content algorithm (V3 code `22`). */
  RSA_OAEP_SHA1 = 'RSA-OAEP-SHA1',
  /** Legacy: AWS KMS with the material description as the encryption context, content algorithm not bound. */
  LEGACY_KMS = 'kms',
  /** Legacy: RFC 3394 AES Key Wrap. */
  LEGACY_AES_WRAP = 'AESWrap',
  /** Legacy: JCE RSA-OAEP-SHA256 over the raw data key. */
  LEGACY_RSA_OAEP_SHA256 = 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding',
  /**
   * Legacy V1 "EncryptionOnly" wrap with no `x-amz-wrap-alg` at all: AES-ECB for symmetric keys,
   * RSA PKCS#1 v1.5 for key pairs. Never appears on the wire; the decoder assigns it to V1 objects.
   */
  LEGACY_UNLABELLED = '(none: V1 EncryptionOnly)',
}

const V3_CODES: ReadonlyArray<[string, WrappingAlgorithm]> = [
  ['02', WrappingAlgorithm.AES_GCM],
  ['12', WrappingAlgorithm.KMS_CONTEXT],
  ['22', WrappingAlgorithm.RSA_OAEP_SHA1],
];

/** The V3 `x-amz-w` code of a wrapping algorithm, or undefined for legacy wraps (which V3 forbids). */
export function v3WrapCode(alg: WrappingAlgorithm): string | undefined {
  return V3_CODES.find(([, a]) => a === alg)?.[0];
}

/** The wrapping algorithm of a V3 `x-amz-w` code, or undefined if unknown. */
export function wrappingAlgorithmFromV3Code(code: string): WrappingAlgorithm | undefined {
  return V3_CODES.find(([c]) => c === code)?.[1];
}

/** The wrapping algorithm named by a V2 `x-amz-wrap-alg` value, or undefined if unknown. */
export function wrappingAlgorithmFromV2Name(name: string): WrappingAlgorithm | undefined {
  if (name === (WrappingAlgorithm.LEGACY_UNLABELLED as string)) return undefined;
  return (Object.values(WrappingAlgorithm) as string[]).includes(name) ? (name as WrappingAlgorithm) : undefined;
}

/** True for wraps readable only with `enableLegacyWrappingAlgorithms`. */
export function isLegacyWrappingAlgorithm(alg: WrappingAlgorithm): boolean {
  return alg === WrappingAlgorithm.LEGACY_KMS || alg === WrappingAlgorithm.LEGACY_AES_WRAP
    || alg === WrappingAlgorithm.LEGACY_RSA_OAEP_SHA256 || alg === WrappingAlgorithm.LEGACY_UNLABELLED;
}

/** True for KMS wraps, whose description map is the KMS encryption context. */
export function isKmsWrappingAlgorithm(alg: WrappingAlgorithm): boolean {
  return alg === WrappingAlgorithm.KMS_CONTEXT || alg === WrappingAlgorithm.LEGACY_KMS;
}
