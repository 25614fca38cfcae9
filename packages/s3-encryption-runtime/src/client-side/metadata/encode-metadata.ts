import { MetadataStrategy } from '../content-format';
import { ClientSideUsageError } from '../errors';
import { isKmsWrappingAlgorithm, v3WrapCode } from '../keyrings/wrapping-algorithm';
import { toAsciiJson } from './ascii-json';
import { type ContentMetadata, type EncodedContentMetadata } from './content-metadata';
import { MetadataKeys as K, V3_OBJECT_ONLY_KEYS } from './metadata-keys';

/**
 * Writes content metadata as the official clients do: V2 keys (`x-amz-key-v2`, ...) or compact V3
 * keys (`x-amz-c/3/w/d/i/m/t`), on the object or split into an instruction file (V2: everything in
 * the file; V3: `x-amz-c/d/i` stay on the object). All values are pure ASCII.
 */
export function encodeContentMetadata(md: ContentMetadata, strategy: MetadataStrategy = md.strategy): EncodedContentMetadata {
  const all = md.formatVersion === 3 ? encodeV3(md) : md.formatVersion === 2 ? encodeV2(md) : undefined;
  if (!all) throw new ClientSideUsageError('V1 metadata is never written; re-encrypt legacy objects in V2 or V3.');
  if (strategy === MetadataStrategy.OBJECT_METADATA) return { metadata: all };

  const objectMetadata: Record<string, string> = {};
  const file: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (md.formatVersion === 3 && V3_OBJECT_ONLY_KEYS.includes(k)) objectMetadata[k] = v;
    else file[k] = v;
  }
  return { metadata: objectMetadata, instructionFile: toAsciiJson(file) };
}

function encodeV2(md: ContentMetadata): Record<string, string> {
  if (!md.iv) throw new ClientSideUsageError('V2 metadata needs an IV.');
  const description = isKmsWrappingAlgorithm(md.wrappingAlgorithm) ? md.encryptionContext : md.materialDescription;
  return {
    [K.KEY_V2]: md.encryptedDataKey.toString('base64'),
    [K.IV]: md.iv.toString('base64'),
    [K.CEK_ALG]: md.suite.cekAlgorithm,
    [K.WRAP_ALG]: md.wrappingAlgorithm,
    [K.MATDESC]: toAsciiJson(description),
    [K.TAG_LEN]: String(md.suite.tagLength * 8),
  };
}

function encodeV3(md: ContentMetadata): Record<string, string> {
  const code = v3WrapCode(md.wrappingAlgorithm);
  if (!code) throw new ClientSideUsageError(`V3 metadata cannot carry the legacy wrap ${md.wrappingAlgorithm}.`);
  if (!md.messageId || !md.commitment) throw new ClientSideUsageError('V3 metadata needs a message id and a commitment.');
  const out: Record<string, string> = {
    [K.V3_CONTENT_ALG]: md.suite.cekAlgorithm,
    [K.V3_KEY]: md.encryptedDataKey.toString('base64'),
    [K.V3_WRAP_ALG]: code,
    [K.V3_COMMITMENT]: md.commitment.toString('base64'),
    [K.V3_MESSAGE_ID]: md.messageId.toString('base64'),
  };
  if (isKmsWrappingAlgorithm(md.wrappingAlgorithm)) {
    out[K.V3_ENCRYPTION_CONTEXT] = toAsciiJson(md.encryptionContext);
  } else if (Object.keys(md.materialDescription).length > 0) {
    // Like Java, omit an empty material description (readers treat absent as {}).
    out[K.V3_MATDESC] = toAsciiJson(md.materialDescription);
  }
  return out;
}
