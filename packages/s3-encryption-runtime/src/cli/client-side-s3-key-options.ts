import type { ClientSideEncryption } from '../client-side/client-side-encryption';
import { MetadataStrategy } from '../client-side/content-format';
import { S3EncryptionClient } from '../client-side/s3-encryption-client';
import { type OptionValues } from './args';
import { CLIENT_SIDE_KEY_OPTIONS, CLIENT_SIDE_KEY_OPTIONS_HELP } from './client-side-key-options';
import type { CliContext } from './command';
import { clientFromValues } from './commands/encrypt';
import type { EncryptionMode, KeyOptionSet } from './key-options';

/**
 * Client-side encryption for `s3-crypto put` / `get` (the Amazon S3 Encryption Client format): the same
 * key options as `encrypt` / `decrypt` (`--aes-key-file`, `--rsa-public-key` / `--rsa-private-key`,
 * `--kms-key-id` with `--context`, `--format`, `--commitment-policy`, `--instruction-file`, `--legacy`,
 * `--delayed-authentication`, `--buffer-size`), against a real S3 endpoint.
 */
export const clientSideS3KeyOptions: KeyOptionSet = {
  name: 'client-side encryption (Amazon S3 Encryption Client format)',
  options: CLIENT_SIDE_KEY_OPTIONS,
  keySelectingOptions: ['aes-key-file', 'rsa-public-key', 'rsa-private-key', 'kms-key-id'],
  // the option lines, without the "Key (exactly one):" / "Options:" headings
  help: CLIENT_SIDE_KEY_OPTIONS_HELP.split('\n').filter((line) => line.startsWith(' ')),
  async resolve(values: OptionValues, ctx: CliContext): Promise<EncryptionMode | undefined> {
    if (!Object.keys(CLIENT_SIDE_KEY_OPTIONS).some((o) => values[o] !== undefined)) return undefined;
    const { opts, client } = clientFromValues(values, ctx, {}); // option mistakes are usage errors (exit 2)
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
