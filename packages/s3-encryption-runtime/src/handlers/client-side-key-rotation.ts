/**
 * S3 Batch Operations handler (`LambdaInvoke`, invocation schema 2.0) that rotates the key-encryption key
 * of objects written by an S3 Encryption Client (this library, Java, Go, .NET, Ruby, ...): each object's
 * data key is re-wrapped under the new key and only its encryption metadata (object metadata or
 * instruction file) is rewritten, never its content.
 *
 * Per task: `Succeeded` when rotated or already under the new key (retries are idempotent), and for
 * instruction files themselves (inventories list them; they are rotated with their object);
 * `TemporaryFailure` for throttling, 5xx, timeouts and objects that changed meanwhile;
 * `PermanentFailure` for everything else (an object under neither key, a missing or unencrypted object,
 * a legacy object, a noncurrent version, tampered metadata). Result strings name keys by KMS key id or by
 * secret id and stage, never by content.
 *
 * Environment (the construct sets it):
 * - old keys: `CSE_ROTATION_FROM_KMS_KEY_IDS` (comma-separated KMS key ARNs) and/or `CSE_ROTATION_FROM_AES_SECRET_ID`
 *   (a Secrets Manager secret holding a raw AES-256 wrapping key; stage `CSE_ROTATION_FROM_AES_SECRET_STAGE`,
 *   default AWSPREVIOUS; material description `CSE_ROTATION_FROM_MATERIAL_DESCRIPTION`, JSON, default {});
 * - new key: `CSE_ROTATION_TO_KMS_KEY_ID`, or `CSE_ROTATION_TO_AES_SECRET_ID` (stage `..._TO_AES_SECRET_STAGE`,
 *   default AWSCURRENT; `CSE_ROTATION_TO_MATERIAL_DESCRIPTION`);
 * - `ROTATION_CONCURRENCY` (tasks at once per invocation, default 4), `CSE_INSTRUCTION_FILE_SUFFIX`
 *   (default `.instruction`), and for S3-compatible servers the `BATCH_S3_*` variables of `s3ClientFromEnvironment`.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetadataStrategy } from '../client-side/content-format';
import { ClientSideConfigurationError } from '../client-side/errors';
import { DataKeyRotation, keyringRotationKey, kmsRotationKey, type RotationKey } from '../client-side/data-key-rotation';
import { RawAesKeyring } from '../client-side/keyrings/raw-aes-keyring';
import { S3ObjectKeyRotator } from '../client-side/s3-key-rotation';
import { SseCKeyLengthError, SseCKeySourceError } from '../sse-c/errors';
import { AWSCURRENT, AWSPREVIOUS, SecretsManagerSseCKeySource } from '../sse-c/secrets-manager-key-source';
import type { SseCKey } from '../sse-c/sse-c-key';
import { type BatchOperationsTask, type BatchResultCode, classifyTaskError, runBatchOperationsTasks } from './batch-operations';
import { integerFromEnv } from './env';
import { redactSecrets } from './redact';
import { s3ClientFromEnvironment } from './s3-client-from-env';
import type { BatchOperationsHandler } from './sse-c-rekey';

/** Where the handler gets the old and new keys (raw keys may change with a secret rotation, so they are resolved per task, cached). */
export interface RotationKeys {
  /** The rotation to apply. */
  rotation(): Promise<DataKeyRotation>;
  /** Encodings of secret key bytes in use, scrubbed from result strings as a last line of defence. @default none */
  secrets?(): Buffer[];
}

/** Dependencies of {@link createClientSideKeyRotationHandler}. */
export interface ClientSideKeyRotationHandlerOptions {
  /** Builds the object rotator for a rotation (the S3 client and copy settings). */
  readonly rotatorFor: (rotation: DataKeyRotation) => S3ObjectKeyRotator;
  /** The keys. */
  readonly keys: RotationKeys;
  /**
   * Tasks processed at once per invocation.
   * @default 4
   */
  readonly concurrency?: number;
}

/** Builds the rotation handler from explicit dependencies (tests, custom key sources). */
export function createClientSideKeyRotationHandler(options: ClientSideKeyRotationHandlerOptions): BatchOperationsHandler {
  let cached: { rotation: DataKeyRotation; rotator: S3ObjectKeyRotator } | undefined;
  return async (event, context) =>
    runBatchOperationsTasks(
      event,
      async (task: BatchOperationsTask) => {
        const rotation = await options.keys.rotation();
        if (cached?.rotation !== rotation) cached = { rotation, rotator: options.rotatorFor(rotation) };
        const r = await cached.rotator.rotate({ bucket: task.bucket, key: task.key, ...(task.versionId ? { expectedVersionId: task.versionId } : {}) });
        const where = r.location === MetadataStrategy.INSTRUCTION_FILE ? 'instruction file' : 'object metadata';
        if (r.outcome === 'instruction-file') return 'skipped: an instruction file, rotated together with its object';
        if (r.outcome === 'already-current') return `already under ${r.to} (V${r.formatVersion}, ${where})`;
        const how = r.method === 'instruction-file' ? 'instruction file replaced' : `metadata rewritten with ${r.method === 'copy-object' ? 'CopyObject' : 'UploadPartCopy'}`;
        return `rotated from ${r.from} to ${r.to} (V${r.formatVersion}, ${how}, ${r.rewrap === 'kms-reencrypt' ? 'KMS ReEncrypt' : 'unwrap and wrap'})` +
          `${r.versionId && r.method !== 'instruction-file' ? `; new version ${r.versionId}` : ''}`;
      },
      {
        concurrency: options.concurrency ?? 4,
        ...(context?.getRemainingTimeInMillis ? { remainingTimeMs: () => context.getRemainingTimeInMillis() } : {}),
        scrub: (text) => redactSecrets(text, options.keys.secrets?.() ?? []),
      },
    );
}

/**
 * The classification of the rotation handler's task errors: {@link classifyTaskError}, which already treats
 * KMS and Secrets Manager errors with a transient cause as `TemporaryFailure`. Kept as a name for existing callers.
 */
export const classifyRotationError: (err: unknown) => { resultCode: BatchResultCode; resultString: string } = classifyTaskError;

/** Reads the old and new keys from the handler's environment (see the file comment). */
export function rotationKeysFromEnvironment(env: NodeJS.ProcessEnv, clients: { kms?: KMSClient; secretsManager?: SecretsManagerClient } = {}): RotationKeys {
  const kmsClient = () => (clients.kms ??= new KMSClient({}));
  const fromKms = (env.CSE_ROTATION_FROM_KMS_KEY_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const fromSecret = env.CSE_ROTATION_FROM_AES_SECRET_ID || undefined;
  const toKms = env.CSE_ROTATION_TO_KMS_KEY_ID || undefined;
  const toSecret = env.CSE_ROTATION_TO_AES_SECRET_ID || undefined;
  if (fromKms.length === 0 && !fromSecret) {
    throw new ClientSideConfigurationError('Set CSE_ROTATION_FROM_KMS_KEY_IDS and/or CSE_ROTATION_FROM_AES_SECRET_ID: the key-rotation function needs the keys objects are wrapped under now.');
  }
  if (Boolean(toKms) === Boolean(toSecret)) {
    throw new ClientSideConfigurationError('Set exactly one of CSE_ROTATION_TO_KMS_KEY_ID and CSE_ROTATION_TO_AES_SECRET_ID: the key to wrap data keys under.');
  }
  const fromDescription = parseMaterialDescription(env.CSE_ROTATION_FROM_MATERIAL_DESCRIPTION);
  const toDescription = parseMaterialDescription(env.CSE_ROTATION_TO_MATERIAL_DESCRIPTION);
  const sources = new Map<string, SecretsManagerSseCKeySource>();
  const sourceFor = (secretId: string) => {
    let source = sources.get(secretId);
    if (!source) {
      source = new SecretsManagerSseCKeySource({ secretId, client: (clients.secretsManager ??= new SecretsManagerClient({})), cacheTtlMs: 300_000 });
      sources.set(secretId, source);
    }
    return source;
  };
  const rawKey = async (secretId: string, stage: string): Promise<SseCKey | undefined> => {
    try {
      return await sourceFor(secretId).byStage(stage);
    } catch (err) {
      if (err instanceof SseCKeyLengthError) {
        throw new ClientSideConfigurationError(`Secret ${secretId} (${stage}) must hold a 256-bit AES wrapping key: 32 raw bytes (SecretBinary) or their base64 (SecretString).`);
      }
      throw err;
    }
  };
  const rawRotationKey = (key: SseCKey, materialDescription: Record<string, string>, secrets: Buffer[]): RotationKey => {
    const bytes = key.exportBytes();
    secrets.push(bytes);
    return keyringRotationKey(new RawAesKeyring({ wrappingKey: bytes, materialDescription }), `raw AES key from ${key.label}`);
  };

  let current: { rotation: DataKeyRotation; secrets: Buffer[]; fingerprint: string } | undefined;
  return {
    async rotation() {
      const fromStage = env.CSE_ROTATION_FROM_AES_SECRET_STAGE || AWSPREVIOUS;
      const toStage = env.CSE_ROTATION_TO_AES_SECRET_STAGE || AWSCURRENT;
      const fromRaw = fromSecret ? await rawKey(fromSecret, fromStage) : undefined;
      if (fromSecret && !fromRaw && fromKms.length === 0) {
        throw new SseCKeySourceError(`secret ${fromSecret} has no ${fromStage} version: rotate the secret first (the old key must be staged ${fromStage})`);
      }
      const toRaw = toSecret ? await rawKey(toSecret, toStage) : undefined;
      if (toSecret && !toRaw) throw new SseCKeySourceError(`secret ${toSecret} has no ${toStage} version`);
      // keep one DataKeyRotation while the key versions (named in the labels) stay the same, so the rotator
      // and its caches are reused and no keyring is rebuilt per task
      const fingerprint = [...fromKms, fromRaw?.label, toKms ?? toRaw?.label].join('|');
      if (current?.fingerprint === fingerprint) return current.rotation;
      const secrets: Buffer[] = [];
      const from = fromKms.map((keyId) => kmsRotationKey({ client: kmsClient(), keyId }));
      if (fromRaw) from.push(rawRotationKey(fromRaw, fromDescription, secrets));
      const to = toKms ? kmsRotationKey({ client: kmsClient(), keyId: toKms }) : rawRotationKey(toRaw!, toDescription, secrets);
      current?.secrets.forEach((b) => b.fill(0));
      current = { rotation: new DataKeyRotation({ from, to }), secrets, fingerprint };
      return current.rotation;
    },
    secrets: () => current?.secrets ?? [],
  };
}

function parseMaterialDescription(json: string | undefined): Record<string, string> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ClientSideConfigurationError('The material description variable must be a JSON object of strings, e.g. {"keyVersion":"2"}.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new ClientSideConfigurationError('The material description variable must be a JSON object of strings, e.g. {"keyVersion":"2"}.');
  }
  return parsed as Record<string, string>;
}

let defaultHandler: BatchOperationsHandler | undefined;

/** The Lambda entry point, configured from the environment on first use. */
export const handler: BatchOperationsHandler = async (event, context) => {
  defaultHandler ??= handlerFromEnvironment(process.env);
  return defaultHandler(event, context);
};

function handlerFromEnvironment(env: NodeJS.ProcessEnv): BatchOperationsHandler {
  const keys = rotationKeysFromEnvironment(env);
  const s3 = s3ClientFromEnvironment(env);
  return createClientSideKeyRotationHandler({
    keys,
    rotatorFor: (rotation) => new S3ObjectKeyRotator({ client: s3, rotation, ...(env.CSE_INSTRUCTION_FILE_SUFFIX ? { instructionFileSuffix: env.CSE_INSTRUCTION_FILE_SUFFIX } : {}) }),
    concurrency: integerFromEnv(env, 'ROTATION_CONCURRENCY', 4),
  });
}
