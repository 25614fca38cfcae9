import type { ClientSideEncryption } from '../client-side/client-side-encryption';
import { MetadataStrategy } from '../client-side/content-format';
import { S3EncryptionClient } from '../client-side/s3-encryption-client';
import { CLIENT_SIDE_KEY_SELECTING_OPTIONS, type ClientSideUse, clientFromValues, clientSideOptionGroups, hasClientSideOption } from './client-side-key-options';
import { type CliContext, UsageError } from './command';
import type { EncryptionMode, KeyOptionSet, KeyUse } from './key-options';
import type { OptionValues } from './options';

const useOf = (direction: KeyUse['direction']): ClientSideUse => (direction === 'put' ? { direction: 'write' } : { direction: 'read', toStdout: true });

/**
 * Client-side encryption for `s3-crypto put` / `get` (the Amazon S3 Encryption Client format): the same
 * key options as `encrypt` / `decrypt`, against a real S3 endpoint. `get --file` verifies into a temporary
 * file (any size, constant memory); `get` to stdout holds plaintext until the tag verifies, up to
 * `--buffer-size`, unless `--delayed-authentication`.
 */
export const clientSideS3KeyOptions: KeyOptionSet = {
  name: 'client-side encryption (Amazon S3 Encryption Client format)',
  optionGroups: (direction) => clientSideOptionGroups(useOf(direction)),
  keySelectingOptions: (direction) => CLIENT_SIDE_KEY_SELECTING_OPTIONS.filter((o) => direction === 'put' || o !== 'rsa-public-key'),
  resolve(values: OptionValues, ctx: CliContext, use: KeyUse): EncryptionMode | undefined {
    const clientSideUse = useOf(use.direction);
    if (!hasClientSideOption(values, clientSideUse)) return undefined;
    if (use.toFile) {
      for (const flag of ['delayed-authentication', 'buffer-size']) {
        if (values[flag] !== undefined) {
          throw new UsageError(`--${flag} applies to output to stdout only; --file is verified before it is renamed into place, at any size: drop --${flag}`);
        }
      }
    }
    const { opts, client } = clientFromValues(values, ctx, {}, clientSideUse, { verifiedIntoFile: use.toFile === true }); // option mistakes are usage errors (exit 2)
    return clientSideMode(client, opts.encryptionContext);
  },
};

function clientSideMode(encryption: ClientSideEncryption, encryptionContext: Record<string, string>): EncryptionMode {
  const context = Object.keys(encryptionContext).length > 0 ? { encryptionContext } : {};
  const where = encryption.metadataStrategy === MetadataStrategy.INSTRUCTION_FILE ? 'instruction file' : 'object metadata';
  return {
    description: `client-side ${encryption.format.toUpperCase()} (${encryption.keyring.name}, ${where})`,
    async put(r) {
      const client = new S3EncryptionClient({ client: r.s3, encryption });
      const out = await client.putObject({
        bucket: r.bucket,
        key: r.key,
        body: r.body,
        ...(r.contentLength !== undefined ? { contentLength: r.contentLength } : {}),
        ...(r.contentType ? { contentType: r.contentType } : {}),
        ...context,
        onProgress: r.onProgress,
        abortSignal: r.signal,
      });
      return { etag: out.etag, versionId: out.versionId, size: out.size };
    },
    async get(r) {
      const client = new S3EncryptionClient({ client: r.s3, encryption });
      const out = await client.getObject({ bucket: r.bucket, key: r.key, ...context, abortSignal: r.signal, ...(r.versionId ? { versionId: r.versionId } : {}) });
      return { body: out.body, contentLength: out.contentLength, versionId: out.versionId };
    },
  };
}
