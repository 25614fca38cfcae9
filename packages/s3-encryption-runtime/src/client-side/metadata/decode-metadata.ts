import { AlgorithmSuite, V3_COMMITMENT_LENGTH, V3_MESSAGE_ID_LENGTH } from '../algorithm-suite';
import { MetadataStrategy } from '../content-format';
import { MalformedMetadataError, MissingInstructionFileError, UnknownWrappingAlgorithmError } from '../errors';
import {
  isKmsWrappingAlgorithm, WrappingAlgorithm, wrappingAlgorithmFromV2Name, wrappingAlgorithmFromV3Code,
} from '../keyrings/wrapping-algorithm';
import { decodeBase64Field } from './base64';
import { type ContentMetadata } from './content-metadata';
import { decodeHeaderValue } from './header-value-decoding';
import { ALL_CONTENT_METADATA_KEYS, MetadataKeys as K, V1_V2_ONLY_KEYS, V3_OBJECT_ONLY_KEYS } from './metadata-keys';

/** What a reader has fetched for one object. */
export interface StoredContentMetadata {
  /** The object's user metadata as the SDK returns it (`Metadata`, keys without `x-amz-meta-`). */
  readonly metadata: Readonly<Record<string, string | undefined>>;
  /** Body of the instruction file, if one was fetched. Ignored when the object metadata is complete. */
  readonly instructionFile?: string | Uint8Array;
  /** Key of the instruction file, used in error messages only. */
  readonly instructionFileKey?: string;
}

/** Largest instruction file accepted (S3EC instruction files are a few hundred bytes). */
export const MAX_INSTRUCTION_FILE_BYTES = 1024 * 1024;
const EXCLUSIVE_KEYS = [K.KEY_V1, K.KEY_V2, K.V3_KEY];
const V3_KEYS: readonly string[] = [K.V3_KEY, K.V3_CONTENT_ALG, K.V3_COMMITMENT, K.V3_MESSAGE_ID, K.V3_WRAP_ALG, K.V3_MATDESC, K.V3_ENCRYPTION_CONTEXT];

type Where = 'object' | 'v3-instruction-file' | 'instruction-file';

/**
 * True if the object's metadata is not complete on its own and the reader must fetch the
 * instruction file (`<key>.instruction`) and pass it to `decodeContentMetadata`.
 * Throws MalformedMetadataError for contradictory metadata (for example both `x-amz-key-v2` and `x-amz-3`).
 */
export function requiresInstructionFile(objectMetadata: Readonly<Record<string, string | undefined>>): boolean {
  return classify(normalizeObjectMetadata(objectMetadata)) !== 'object';
}

/**
 * Decodes and validates the stored content metadata of an object (format detection as the Java
 * client does it, SPEC content-metadata.md "Determining S3EC Object Status"):
 * 1. `x-amz-iv` with `x-amz-key` or `x-amz-key-v2` on the object: V1/V2 from object metadata;
 * 2. `x-amz-3`, `x-amz-c`, `x-amz-d`, `x-amz-i` on the object: V3 from object metadata;
 * 3. `x-amz-c`, `x-amz-d`, `x-amz-i` without `x-amz-3`: V3 with the rest in the instruction file,
 *    which must not repeat c/d/i;
 * 4. no S3EC keys on the object: V1/V2 entirely in the instruction file.
 * Throws MissingInstructionFileError when the instruction file is needed but not given, and
 * MalformedMetadataError / UnknownWrappingAlgorithmError for anything invalid. Never returns partial data.
 */
export function decodeContentMetadata(stored: StoredContentMetadata): ContentMetadata {
  const objectMap = normalizeObjectMetadata(stored.metadata);
  const where = classify(objectMap);
  if (where === 'object') {
    return objectMap.has(K.V3_KEY) ? decodeV3(objectMap, MetadataStrategy.OBJECT_METADATA) : decodeV1V2(objectMap, MetadataStrategy.OBJECT_METADATA);
  }
  if (where === 'v3-instruction-file') {
    const stray = [...objectMap.keys()].filter((k) => !V3_OBJECT_ONLY_KEYS.includes(k) && k !== K.UNENCRYPTED_CONTENT_LENGTH);
    if (stray.length > 0) {
      throw new MalformedMetadataError(undefined, `the object has x-amz-c, x-amz-d and x-amz-i but no x-amz-3, so its key would be in an instruction file, yet it also carries ${stray.join(', ')}.`);
    }
  }
  if (stored.instructionFile === undefined) throw new MissingInstructionFileError(stored.instructionFileKey);
  const fileMap = parseInstructionFile(stored.instructionFile);
  if (where === 'v3-instruction-file') {
    const misplaced = V3_OBJECT_ONLY_KEYS.filter((k) => fileMap.has(k));
    if (misplaced.length > 0) {
      throw new MalformedMetadataError(undefined, `the instruction file contains ${misplaced.join(', ')}, which must stay on the object (a rewritten instruction file must not change the commitment or message id).`);
    }
    const merged = new Map(fileMap);
    for (const k of V3_OBJECT_ONLY_KEYS) merged.set(k, objectMap.get(k)!);
    if (objectMap.has(K.UNENCRYPTED_CONTENT_LENGTH) && !merged.has(K.UNENCRYPTED_CONTENT_LENGTH)) {
      merged.set(K.UNENCRYPTED_CONTENT_LENGTH, objectMap.get(K.UNENCRYPTED_CONTENT_LENGTH)!);
    }
    if (!merged.has(K.V3_KEY)) throw new MalformedMetadataError(K.V3_KEY, 'the V3 instruction file has no wrapped data key.');
    return decodeV3(merged, MetadataStrategy.INSTRUCTION_FILE);
  }
  const v3Keys = V3_KEYS.filter((k) => fileMap.has(k));
  if (v3Keys.length > 0) {
    throw new MalformedMetadataError(undefined, `the instruction file contains V3 keys (${v3Keys.join(', ')}) but the object has no x-amz-c/x-amz-d/x-amz-i.`);
  }
  if (!fileMap.has(K.IV) || !(fileMap.has(K.KEY_V1) || fileMap.has(K.KEY_V2))) {
    throw new MalformedMetadataError(undefined, 'the instruction file lacks x-amz-iv or the wrapped key (x-amz-key-v2 / x-amz-key).');
  }
  // Ruby V2 keeps the informational length on the object in instruction-file mode.
  if (objectMap.has(K.UNENCRYPTED_CONTENT_LENGTH) && !fileMap.has(K.UNENCRYPTED_CONTENT_LENGTH)) {
    fileMap.set(K.UNENCRYPTED_CONTENT_LENGTH, objectMap.get(K.UNENCRYPTED_CONTENT_LENGTH)!);
  }
  return decodeV1V2(fileMap, MetadataStrategy.INSTRUCTION_FILE);
}

function normalizeObjectMetadata(raw: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === null || typeof raw !== 'object') throw new MalformedMetadataError(undefined, 'object metadata must be a map of strings.');
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const k = key.toLowerCase();
    if (!ALL_CONTENT_METADATA_KEYS.includes(k)) continue; // other user metadata is not ours
    if (typeof value !== 'string') throw new MalformedMetadataError(k, 'the value is not a string.');
    if (out.has(k)) throw new MalformedMetadataError(k, 'it appears twice with different letter case.');
    out.set(k, decodeHeaderValue(k, value));
  }
  assertExclusiveKeys(out);
  return out;
}

function assertExclusiveKeys(map: Map<string, string>): void {
  const present = EXCLUSIVE_KEYS.filter((k) => map.has(k));
  if (present.length > 1) {
    throw new MalformedMetadataError(undefined, `it mixes the mutually exclusive keys ${present.join(', ')} (V1, V2 and V3 markers).`);
  }
}

function classify(map: Map<string, string>): Where {
  if (map.has(K.IV) && (map.has(K.KEY_V1) || map.has(K.KEY_V2))) return 'object';
  const hasCdi = V3_OBJECT_ONLY_KEYS.every((k) => map.has(k));
  if (hasCdi && map.has(K.V3_KEY)) return 'object';
  if (hasCdi) return 'v3-instruction-file';
  const partial = [...map.keys()].filter((k) => k !== K.UNENCRYPTED_CONTENT_LENGTH);
  if (partial.length > 0) {
    const looksV3 = partial.some((k) => V3_KEYS.includes(k));
    const missing = looksV3
      ? [K.V3_CONTENT_ALG, K.V3_KEY, K.V3_COMMITMENT, K.V3_MESSAGE_ID, K.V3_WRAP_ALG].filter((k) => !map.has(k))
      : [K.IV, map.has(K.KEY_V1) ? K.KEY_V1 : K.KEY_V2].filter((k) => !map.has(k));
    throw new MalformedMetadataError(undefined, `the object carries ${partial.join(', ')} but not ${missing.join(', ') || 'a consistent set of keys'}.`);
  }
  return 'instruction-file';
}

function parseInstructionFile(body: string | Uint8Array): Map<string, string> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_INSTRUCTION_FILE_BYTES) throw new MalformedMetadataError(undefined, `the instruction file is ${size} bytes; S3EC instruction files are small JSON objects.`);
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new MalformedMetadataError(undefined, 'the instruction file is not UTF-8.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedMetadataError(undefined, 'the instruction file is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MalformedMetadataError(undefined, 'the instruction file is not a JSON object.');
  }
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const k = key.toLowerCase();
    if (!ALL_CONTENT_METADATA_KEYS.includes(k)) continue;
    if (out.has(k)) throw new MalformedMetadataError(k, 'it appears twice in the instruction file.');
    if (typeof value === 'string') {
      out.set(k, value);
    } else if (typeof value === 'number' && (k === K.TAG_LEN || k === K.UNENCRYPTED_CONTENT_LENGTH) && Number.isSafeInteger(value)) {
      out.set(k, String(value)); // Go tolerates numbers for these two
    } else {
      throw new MalformedMetadataError(k, 'the instruction-file value is not a string.');
    }
  }
  assertExclusiveKeys(out);
  return out;
}

function decodeV1V2(map: Map<string, string>, strategy: MetadataStrategy): ContentMetadata {
  const mixed = V3_KEYS.filter((k) => map.has(k));
  if (mixed.length > 0) throw new MalformedMetadataError(undefined, `a V1/V2 object must not carry V3 keys, but it has ${mixed.join(', ')}.`);
  const v1 = map.has(K.KEY_V1);
  const formatVersion = v1 ? 1 : 2;
  const keyField = v1 ? K.KEY_V1 : K.KEY_V2;
  const encryptedDataKey = decodeBase64Field(keyField, required(map, keyField));
  if (encryptedDataKey.length === 0) throw new MalformedMetadataError(keyField, 'the wrapped data key is empty.');

  let wrappingAlgorithm: WrappingAlgorithm;
  const wrapName = map.get(K.WRAP_ALG);
  if (wrapName === undefined) {
    if (!v1) throw new MalformedMetadataError(K.WRAP_ALG, 'it is missing; V2 objects always name their wrapping algorithm.');
    wrappingAlgorithm = WrappingAlgorithm.LEGACY_UNLABELLED;
  } else {
    const alg = wrappingAlgorithmFromV2Name(wrapName);
    if (!alg) throw new UnknownWrappingAlgorithmError(wrapName);
    wrappingAlgorithm = alg;
  }

  const cek = map.get(K.CEK_ALG);
  let suite: AlgorithmSuite;
  if (cek === undefined) {
    if (!v1) throw new MalformedMetadataError(K.CEK_ALG, 'it is missing; V2 objects always name their content algorithm.');
    suite = AlgorithmSuite.AES_256_CBC_IV16_NO_KDF; // V1 without x-amz-cek-alg is always CBC
  } else if (cek === AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF.cekAlgorithm) {
    suite = AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF;
  } else if (cek === 'AES/CBC/PKCS5Padding' || cek === 'AES/CBC/PKCS7Padding') {
    suite = AlgorithmSuite.AES_256_CBC_IV16_NO_KDF;
  } else {
    throw new MalformedMetadataError(K.CEK_ALG, `the content algorithm ${JSON.stringify(cek.slice(0, 60))} is not AES/GCM/NoPadding or AES/CBC/PKCS5Padding (the committing suite 115 exists only in V3 metadata).`);
  }

  const iv = decodeBase64Field(K.IV, required(map, K.IV), [suite.ivLength]);
  if (suite.tagLength > 0) {
    const tagLen = map.get(K.TAG_LEN);
    if (tagLen !== undefined && tagLen !== '128') throw new MalformedMetadataError(K.TAG_LEN, `the tag length ${JSON.stringify(tagLen.slice(0, 20))} is not 128.`);
  }
  const description = parseJsonMap(K.MATDESC, map.get(K.MATDESC));
  const kms = isKmsWrappingAlgorithm(wrappingAlgorithm);
  return {
    formatVersion,
    suite,
    encryptedDataKey,
    wrappingAlgorithm,
    encryptionContext: kms ? description : {},
    materialDescription: kms ? {} : description,
    iv,
    unencryptedContentLength: parseLength(map.get(K.UNENCRYPTED_CONTENT_LENGTH)),
    strategy,
  };
}

function decodeV3(map: Map<string, string>, strategy: MetadataStrategy): ContentMetadata {
  const mixed = V1_V2_ONLY_KEYS.filter((k) => map.has(k));
  if (mixed.length > 0) throw new MalformedMetadataError(undefined, `a V3 object must not carry V1/V2 keys, but it has ${mixed.join(', ')}.`);
  const suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
  const c = required(map, K.V3_CONTENT_ALG);
  if (c !== suite.cekAlgorithm) throw new MalformedMetadataError(K.V3_CONTENT_ALG, `the content algorithm ${JSON.stringify(c.slice(0, 20))} is not 115 (the only V3 suite).`);
  const encryptedDataKey = decodeBase64Field(K.V3_KEY, required(map, K.V3_KEY));
  if (encryptedDataKey.length === 0) throw new MalformedMetadataError(K.V3_KEY, 'the wrapped data key is empty.');
  const code = required(map, K.V3_WRAP_ALG);
  const wrappingAlgorithm = wrappingAlgorithmFromV3Code(code);
  if (!wrappingAlgorithm) throw new UnknownWrappingAlgorithmError(code);
  const commitment = decodeBase64Field(K.V3_COMMITMENT, required(map, K.V3_COMMITMENT), [V3_COMMITMENT_LENGTH]);
  const messageId = decodeBase64Field(K.V3_MESSAGE_ID, required(map, K.V3_MESSAGE_ID), [V3_MESSAGE_ID_LENGTH]);
  const ec = parseJsonMap(K.V3_ENCRYPTION_CONTEXT, map.get(K.V3_ENCRYPTION_CONTEXT));
  const matdesc = parseJsonMap(K.V3_MATDESC, map.get(K.V3_MATDESC));
  const kms = isKmsWrappingAlgorithm(wrappingAlgorithm);
  // Go/Ruby/.NET write an empty x-amz-m (or null) on KMS objects too; only a non-empty map of the wrong kind is an error.
  if (kms && Object.keys(matdesc).length > 0) throw new MalformedMetadataError(K.V3_MATDESC, 'a KMS-wrapped V3 object must not carry a material description (x-amz-m).');
  if (!kms && Object.keys(ec).length > 0) throw new MalformedMetadataError(K.V3_ENCRYPTION_CONTEXT, 'a raw-key V3 object must not carry a KMS encryption context (x-amz-t).');
  return {
    formatVersion: 3,
    suite,
    encryptedDataKey,
    wrappingAlgorithm,
    encryptionContext: kms ? ec : {},
    materialDescription: kms ? {} : matdesc,
    messageId,
    commitment,
    unencryptedContentLength: parseLength(map.get(K.UNENCRYPTED_CONTENT_LENGTH)),
    strategy,
  };
}

function required(map: Map<string, string>, key: string): string {
  const v = map.get(key);
  if (v === undefined) throw new MalformedMetadataError(key, 'it is missing.');
  return v;
}

/** Parses a JSON string→string map; absent, `null` and `{}` all mean empty. */
function parseJsonMap(field: string, value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new MalformedMetadataError(field, 'it is not valid JSON.');
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedMetadataError(field, 'it is not a JSON object.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new MalformedMetadataError(field, `the entry ${JSON.stringify(k.slice(0, 40))} is not a string.`);
    // defineProperty, so a "__proto__" entry stays an ordinary entry
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseLength(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?[0-9]{1,16}$/.test(value)) throw new MalformedMetadataError(K.UNENCRYPTED_CONTENT_LENGTH, 'it is not a decimal integer.');
  const n = Number(value);
  return n >= 0 ? n : undefined; // some writers store -1 for "unknown"
}
