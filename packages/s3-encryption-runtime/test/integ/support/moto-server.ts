/**
 * AWS KMS and Secrets Manager for integration tests: the moto server on 127.0.0.1, started by
 * `scripts/moto.sh` (`npm test` and `npm run test:integ` run jest inside `bash scripts/moto.sh run ...`,
 * itself inside `scripts/ceph-rgw.sh run`).
 *
 * ```ts
 * describeWithKms('my feature', () => {
 *   const moto = motoTestServer();
 *   it('wraps with KMS', async () => {
 *     const keyId = await moto.createKmsKey();
 *     const keyring = new KmsKeyring({ client: moto.kmsClient(), keyId });
 *   });
 * });
 * ```
 *
 * - `describeWithKms` / `describeWithS3AndKms` run their block when moto (and radosgw) are up. Otherwise they
 *   skip with the reason printed, or fail with it under `CI=true` (test/support/environment-gate.ts).
 * - The SDK clients are the real ones, talking JSON over HTTP to moto. Processes and bundled handlers find moto
 *   through `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL_SECRETS_MANAGER` (`childProcessEnv()`).
 * - moto keeps its state for the whole run: name keys, aliases and secrets uniquely (`uniqueName`).
 * - Where moto departs from AWS KMS in a way our code depends on, `kmsAsDocumented()` (./kms-as-documented.ts)
 *   restores the documented behaviour; everything else is moto's.
 */
import { randomBytes } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describeWhenAvailable } from '../../support/environment-gate';
import { s3UnavailableReason } from './s3-test-server';

/** A secret value: raw bytes go to `SecretBinary`, text to `SecretString`. */
export type SecretValue = { readonly binary: Uint8Array } | { readonly text: string };

/** The running moto server. */
export interface MotoTestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Region the clients sign for (moto keeps one state per region). */
  readonly region: string;
  /** Dummy credentials (moto checks no signatures). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** A real KMSClient pointed at moto; `config` adds or overrides settings (e.g. `requestHandler`, `maxAttempts`). */
  kmsClient(config?: Partial<KMSClientConfig>): KMSClient;
  /** A real SecretsManagerClient pointed at moto. */
  secretsManagerClient(): SecretsManagerClient;
  /** Creates a symmetric KMS key (and the alias, if given) and returns its ARN. */
  createKmsKey(alias?: string): Promise<string>;
  /** Creates a secret whose first version is staged AWSCURRENT; returns its version id. */
  createSecret(name: string, value: SecretValue): Promise<string>;
  /**
   * Rotates a secret the way a rotation Lambda does: the new value is put as `AWSPENDING`, then `AWSCURRENT`
   * moves to it, and Secrets Manager stages the replaced version `AWSPREVIOUS`. Returns the new version id.
   */
  rotateSecret(name: string, value: SecretValue): Promise<string>;
  /** Environment for a child process (the CLI) that must reach moto: endpoints, region, dummy credentials. */
  childProcessEnv(): Record<string, string>;
}

/** Why moto is not available, or `undefined` when it is. */
export function motoUnavailableReason(): string | undefined {
  if (process.env.MOTO_UNAVAILABLE_REASON) return process.env.MOTO_UNAVAILABLE_REASON;
  if (!process.env.MOTO_ENDPOINT) {
    return 'MOTO_ENDPOINT is not set: run the integration tests through the harness, e.g. `npm run test:integ` or ' +
      '`bash scripts/moto.sh run npx jest --selectProjects integ` (inside `bash scripts/ceph-rgw.sh run` for S3)';
  }
  return undefined;
}

/** `describe` for tests that need KMS and/or Secrets Manager (moto), but no S3. */
export function describeWithKms(name: string, fn: () => void, timeoutMs = 60_000): void {
  describeWhenAvailable(name, { needs: 'the moto server (AWS KMS and Secrets Manager)', unavailableReason: motoUnavailableReason(), timeoutMs }, fn);
}

/** `describe` for tests that need a real S3 server (radosgw) and KMS / Secrets Manager (moto). */
export function describeWithS3AndKms(name: string, fn: () => void, timeoutMs = 120_000): void {
  const s3 = s3UnavailableReason();
  const moto = motoUnavailableReason();
  const reason = s3 || moto ? [s3, moto].filter(Boolean).join('; ') : undefined;
  describeWhenAvailable(name, { needs: 'a real S3 server and the moto server (AWS KMS and Secrets Manager)', unavailableReason: reason, timeoutMs }, fn);
}

/** `prefix` plus a random suffix: moto's state lives as long as the test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

let server: MotoTestServer | undefined;

/** The running moto server. Throws with the reason when there is none (use inside `describeWithKms`). */
export function motoTestServer(): MotoTestServer {
  const reason = motoUnavailableReason();
  if (reason) throw new Error(`no moto server for integration tests: ${reason}`);
  server ??= describeServer(process.env.MOTO_ENDPOINT!);
  return server;
}

function describeServer(endpoint: string): MotoTestServer {
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const kmsClient = (config: Partial<KMSClientConfig> = {}) => new KMSClient({ region, endpoint, credentials, ...config });
  const secretsManagerClient = () => new SecretsManagerClient({ region, endpoint, credentials });
  const admin = kmsClient();
  const secrets = secretsManagerClient();
  const asInput = (value: SecretValue) => ('binary' in value ? { SecretBinary: value.binary } : { SecretString: value.text });

  return {
    endpoint,
    region,
    credentials,
    kmsClient,
    secretsManagerClient,
    async createKmsKey(alias?: string): Promise<string> {
      const key = await admin.send(new CreateKeyCommand({ Description: 's3-encryption-runtime integration test' }));
      const arn = key.KeyMetadata!.Arn!;
      if (alias) await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
      return arn;
    },
    async createSecret(name: string, value: SecretValue): Promise<string> {
      return (await secrets.send(new CreateSecretCommand({ Name: name, ...asInput(value) }))).VersionId!;
    },
    async rotateSecret(name: string, value: SecretValue): Promise<string> {
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html: createSecret stages
      // the new version AWSPENDING, finishSecret moves AWSCURRENT to it and the old version becomes AWSPREVIOUS
      const current = await secrets.send(new PutSecretValueCommand({ SecretId: name, ...asInput(value), VersionStages: ['AWSPENDING'] }));
      const versions = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: name }));
      const old = versions.Versions?.find((v) => v.VersionStages?.includes('AWSCURRENT'))?.VersionId;
      await secrets.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: current.VersionId, RemoveFromVersionId: old }));
      return current.VersionId!;
    },
    childProcessEnv(): Record<string, string> {
      return {
        AWS_ENDPOINT_URL_KMS: endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      };
    },
  };
}
