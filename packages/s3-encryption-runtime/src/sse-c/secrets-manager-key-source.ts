import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SseCKeySourceError } from './errors';
import { SseCKey } from './sse-c-key';

/** The Secrets Manager staging labels the key source reads. */
export const AWSCURRENT = 'AWSCURRENT';
/** The staging label Secrets Manager moves the replaced version to on rotation. */
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** Options of {@link SecretsManagerSseCKeySource}. */
export interface SecretsManagerSseCKeySourceOptions {
  /** Name or ARN of the secret holding the SSE-C key. */
  readonly secretId: string;
  /**
   * Client to read the secret with.
   * @default - a new `SecretsManagerClient` with the SDK's default region and credentials
   */
  readonly client?: SecretsManagerClient;
  /**
   * How long a fetched key version is reused before Secrets Manager is asked again, in milliseconds.
   * After a rotation, readers switch to the new key within this time.
   * @default 300000 (5 minutes, like the AWS Parameters and Secrets Lambda extension)
   */
  readonly cacheTtlMs?: number;
  /**
   * Name of the JSON field holding the base64 key when the secret string is a JSON object.
   * @default 'key'
   */
  readonly jsonField?: string;
}

interface CacheEntry {
  readonly expires: number;
  readonly value: Promise<SseCKey | undefined>;
}

/**
 * Reads an SSE-C key from AWS Secrets Manager, by staging label, with a TTL cache.
 *
 * The secret holds the 256-bit key as `SecretBinary` (32 raw bytes), or as `SecretString` with
 * its base64 (44 characters), or as a JSON object whose `jsonField` (default `key`) is that base64.
 * `current()` reads `AWSCURRENT`; `previous()` reads `AWSPREVIOUS`, which Secrets Manager sets on the
 * version a rotation replaced, so objects written before the rotation stay readable and can be re-keyed.
 * Keys are labelled `secret <id> <stage> (version <versionId>)`; no key bytes are ever logged.
 */
export class SecretsManagerSseCKeySource {
  private readonly client: SecretsManagerClient;
  private readonly secretId: string;
  private readonly ttlMs: number;
  private readonly jsonField: string;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: SecretsManagerSseCKeySourceOptions) {
    if (!options.secretId) throw new SseCKeySourceError('SecretsManagerSseCKeySource needs a secretId (name or ARN)');
    this.client = options.client ?? new SecretsManagerClient({});
    this.secretId = options.secretId;
    this.ttlMs = options.cacheTtlMs ?? 300_000;
    this.jsonField = options.jsonField ?? 'key';
  }

  /** The key staged `AWSCURRENT`: the one to write with. Throws {@link SseCKeySourceError} if it cannot be read. */
  public async current(): Promise<SseCKey> {
    const key = await this.byStage(AWSCURRENT);
    if (key === undefined) throw new SseCKeySourceError(`secret ${this.secretId} has no ${AWSCURRENT} version`);
    return key;
  }

  /** The key staged `AWSPREVIOUS`, or `undefined` if the secret was never rotated. */
  public async previous(): Promise<SseCKey | undefined> {
    return this.byStage(AWSPREVIOUS);
  }

  /** The key with staging label `stage`, or `undefined` if no version carries that label. */
  public async byStage(stage: string): Promise<SseCKey | undefined> {
    const now = Date.now();
    const hit = this.cache.get(stage);
    if (hit && hit.expires > now) return hit.value;
    const value = this.fetch(stage);
    this.cache.set(stage, { expires: now + this.ttlMs, value });
    // failures are not cached: the next call asks again
    value.catch(() => {
      if (this.cache.get(stage)?.value === value) this.cache.delete(stage);
    });
    return value;
  }

  /** Forgets cached keys, e.g. right after a rotation. */
  public invalidate(): void {
    this.cache.clear();
  }

  private async fetch(stage: string): Promise<SseCKey | undefined> {
    let out;
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }));
    } catch (err) {
      if (isMissingStage(err) && stage !== AWSCURRENT) return undefined;
      const name = (err as { name?: string }).name ?? 'Error';
      throw new SseCKeySourceError(`cannot read ${stage} of secret ${this.secretId}: ${name}: ${(err as Error).message}`, err);
    }
    const label = `secret ${this.secretId} ${stage}${out.VersionId ? ` (version ${out.VersionId})` : ''}`;
    if (out.SecretBinary !== undefined) return SseCKey.fromRawOrBase64(out.SecretBinary, { label });
    if (out.SecretString === undefined) throw new SseCKeySourceError(`${label} has neither SecretString nor SecretBinary`);
    const text = out.SecretString.trim();
    if (text.startsWith('{')) {
      let field: unknown;
      try {
        field = (JSON.parse(text) as Record<string, unknown>)[this.jsonField];
      } catch {
        throw new SseCKeySourceError(`${label} looks like JSON but does not parse`);
      }
      if (typeof field !== 'string') throw new SseCKeySourceError(`${label} is JSON without a string field "${this.jsonField}"`);
      return SseCKey.fromBase64(field, { label });
    }
    return SseCKey.fromBase64(text, { label });
  }
}

function isMissingStage(err: unknown): boolean {
  // Secrets Manager answers ResourceNotFoundException for a staging label no version carries
  return (err as { name?: string }).name === 'ResourceNotFoundException';
}
