import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWSCURRENT, SecretsManagerSseCKeySource } from '../sse-c/secrets-manager-key-source';
import { SseCKey } from '../sse-c/sse-c-key';
import { SseCObjectClient } from '../sse-c/sse-c-object-client';
import { type CliContext, UsageError } from './command';
import { fsReason } from './files';
import { type OptionValues, optionalString } from './options';
import type { EncryptionMode, KeyOptionSet } from './key-options';

/** `--sse-c-key-file` / `--sse-c-secret` (+ `--sse-c-secret-stage`): server-side encryption with a customer-provided key. */
export const sseCKeyOptions: KeyOptionSet = {
  name: 'SSE-C',
  keySelectingOptions: () => ['sse-c-key-file', 'sse-c-secret'],
  optionGroups: () => [{
    title: 'SSE-C key (server-side encryption with your key)',
    options: {
      'sse-c-key-file': { type: 'string', value: 'FILE', help: 'SSE-C key: 32 raw bytes, or their base64' },
      'sse-c-secret': { type: 'string', value: 'ID', help: 'SSE-C key from a Secrets Manager secret (name or ARN)' },
      'sse-c-secret-stage': { type: 'string', value: 'STAGE', help: 'staging label to read (default AWSCURRENT; AWSPREVIOUS before a re-key)' },
    },
  }],
  async resolve(values: OptionValues, ctx: CliContext): Promise<EncryptionMode | undefined> {
    const file = optionalString(values, 'sse-c-key-file');
    const secret = optionalString(values, 'sse-c-secret');
    const stage = optionalString(values, 'sse-c-secret-stage');
    if (!file && !secret) {
      if (stage) throw new UsageError('--sse-c-secret-stage needs --sse-c-secret');
      return undefined;
    }
    if (file && secret) throw new UsageError('give either --sse-c-key-file or --sse-c-secret, not both');
    let key: SseCKey;
    if (file) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (err) {
        throw new UsageError(`cannot read --sse-c-key-file ${file}: ${fsReason(err)}`, { helpHint: false });
      }
      ctx.addSecret(data);
      key = SseCKey.fromRawOrBase64(data, { label: `key file ${file}` });
      data.fill(0);
    } else {
      const region = secretRegion(secret!) ?? optionalString(values, 'region');
      const source = new SecretsManagerSseCKeySource({
        secretId: secret!,
        client: new SecretsManagerClient(region ? { region } : {}),
      });
      const found = await source.byStage(stage ?? AWSCURRENT);
      if (!found) throw new UsageError(`secret ${secret} has no ${stage ?? AWSCURRENT} version; check --sse-c-secret-stage`);
      key = found;
    }
    const bytes = key.exportBytes();
    ctx.addSecret(bytes);
    bytes.fill(0);
    return sseCMode(key);
  },
};

function secretRegion(secretId: string): string | undefined {
  return /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1];
}

function sseCMode(key: SseCKey): EncryptionMode {
  return {
    description: `SSE-C (${key.label ?? 'customer-provided key'})`,
    async put(r) {
      const client = new SseCObjectClient({ client: r.s3 });
      const out = await client.put({
        bucket: r.bucket,
        key: r.key,
        body: r.body,
        sseKey: key,
        ...(r.contentLength !== undefined ? { contentLength: r.contentLength } : {}),
        ...(r.contentType ? { contentType: r.contentType } : {}),
        onProgress: r.onProgress,
        abortSignal: r.signal,
      });
      return { etag: out.etag, versionId: out.versionId, size: out.size };
    },
    async get(r) {
      const client = new SseCObjectClient({ client: r.s3 });
      const out = await client.get({ bucket: r.bucket, key: r.key, sseKey: key, abortSignal: r.signal, ...(r.versionId ? { versionId: r.versionId } : {}) });
      return { body: out.body, contentLength: out.contentLength, versionId: out.versionId };
    },
  };
}
