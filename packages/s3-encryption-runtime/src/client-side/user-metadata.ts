/** The user metadata of client-side encrypted objects: what is the caller's, and what may be written. */
import { S3_USER_METADATA_LIMIT_BYTES, userMetadataBytes } from './client-side-encryption';
import { ALL_CONTENT_METADATA_KEYS, MetadataKeys } from './metadata/metadata-keys';
import { EncryptedObjectParameterError } from './s3-errors';

/** User metadata as returned by S3, without the encryption metadata. */
export function userMetadataOf(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (!ALL_CONTENT_METADATA_KEYS.includes(k.toLowerCase())) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** User metadata must not use the encryption metadata's keys. */
export function assertUserMetadata(metadata: Record<string, string> | undefined): void {
  if (!metadata) return;
  const reserved = [...ALL_CONTENT_METADATA_KEYS, MetadataKeys.INSTRUCTION_FILE_MARKER];
  for (const [k, v] of Object.entries(metadata)) {
    if (reserved.includes(k.toLowerCase())) throw new EncryptedObjectParameterError(`User metadata key ${JSON.stringify(k)} is reserved for the encryption metadata; rename it.`);
    if (typeof v !== 'string') throw new EncryptedObjectParameterError(`User metadata ${JSON.stringify(k)} must be a string.`);
  }
}

/** The user metadata plus the encryption metadata must fit S3's 2 KB limit. */
export function assertMetadataFits(metadata: Record<string, string>): void {
  const size = userMetadataBytes(metadata);
  if (size > S3_USER_METADATA_LIMIT_BYTES) {
    throw new EncryptedObjectParameterError(
      `Your metadata plus the encryption metadata is ${size} bytes, over S3's ${S3_USER_METADATA_LIMIT_BYTES}-byte user-metadata limit. ` +
        'Use metadataStrategy: INSTRUCTION_FILE, or less user metadata or a smaller encryption context.',
    );
  }
}
