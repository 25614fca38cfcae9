import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { throwIfProblems } from './private/construct-prop-error';
import { EncryptedBucket } from './encrypted-bucket';
import { kmsThroughS3Conditions } from './private/encrypted-bucket-grants';
import { bucketKeyContextPossible } from './private/bucket-key-context';
import { type BatchOperationsJobOptions } from './batch-operations-job-options';
import { DEFAULT_TASKS_PER_INVOCATION } from './private/batch-operations-job-validation';
import { BatchOperationsFunction } from './private/batch-operations-function';
import { DEFAULT_FROM_STAGE, DEFAULT_TO_STAGE, validateClientSideKeyRotationProps } from './private/client-side-key-rotation-validation';

/** Options of {@link KeyEncryptionKey.fromSecret}. */
export interface SecretKeyEncryptionKeyOptions {
  /**
   * Staging label of the secret version holding the key.
   * @default 'AWSPREVIOUS' for an old key (`fromKeys`), 'AWSCURRENT' for the new key (`toKey`)
   */
  readonly stage?: string;
  /**
   * Material description stored with (and required to match on) raw-key objects, as given to
   * `RawAesKeyring({ materialDescription })` when they were written / should be written.
   * @default {}
   */
  readonly materialDescription?: Record<string, string>;
}

/**
 * A key-encryption key of client-side encrypted objects (the key that wraps each object's data key):
 * an AWS KMS key, or a raw AES-256 key held in a Secrets Manager secret (SecretBinary: 32 bytes, or
 * SecretString: their base64, or JSON `{"key": "<base64>"}`).
 */
export class KeyEncryptionKey {
  /** An AWS KMS key (symmetric). Objects carry its `kms+context` wrap. */
  public static fromKmsKey(key: kms.IKey): KeyEncryptionKey {
    return new KeyEncryptionKey(key, undefined, undefined, undefined);
  }

  /** A raw AES-256 key in a Secrets Manager secret. Objects carry its `AES/GCM` wrap. */
  public static fromSecret(secret: secretsmanager.ISecret, options: SecretKeyEncryptionKeyOptions = {}): KeyEncryptionKey {
    return new KeyEncryptionKey(undefined, secret, options.stage, options.materialDescription);
  }

  private constructor(
    /** The KMS key, for KMS keys. */
    public readonly kmsKey: kms.IKey | undefined,
    /** The secret, for raw AES keys. */
    public readonly secret: secretsmanager.ISecret | undefined,
    /** The secret's staging label, if given. */
    public readonly stage: string | undefined,
    /** The material description of a raw key, if given. */
    public readonly materialDescription: Record<string, string> | undefined,
  ) {}
}

/** Props of {@link ClientSideKeyRotation}. */
export interface ClientSideKeyRotationProps extends BatchOperationsJobOptions {
  /** The bucket holding the client-side encrypted objects (written by this library or any S3 Encryption Client). */
  readonly bucket: s3.IBucket;

  /**
   * The keys objects are wrapped under now, tried in order. At most one may be a secret.
   * With a secret, rotate the secret first (its old key becomes `AWSPREVIOUS`).
   */
  readonly fromKeys: KeyEncryptionKey[];

  /** The key to re-wrap data keys under. */
  readonly toKey: KeyEncryptionKey;
}

/**
 * Rotates the key-encryption key of client-side encrypted objects at any scale with S3 Batch
 * Operations: a Lambda function that, per task, re-wraps one object's data key from one of `fromKeys`
 * to `toKey` and rewrites only its encryption metadata (the instruction file, or the object's metadata
 * by a server-side copy onto itself), never the content; idempotent; per-task result codes. Plus the
 * role Batch Operations uses to invoke it.
 *
 * Least privilege:
 * - objects of this bucket only: read (current and by version, and their tags), write (copy
 *   destination, instruction files, multipart copies, tags); no delete, no list;
 * - KMS to KMS: `kms:ReEncryptFrom` on the old keys and `kms:ReEncryptTo` + `kms:ReEncryptFrom` on the
 *   new key (data keys never leave KMS; "already rotated" is checked by re-encrypting from the new key
 *   to itself, so no `kms:Decrypt` anywhere); with a raw key on one side, `kms:Decrypt` on old KMS keys
 *   or `kms:Encrypt` on a new KMS key instead;
 * - `secretsmanager:GetSecretValue` on the secrets of raw keys only;
 * - the bucket's own KMS key (SSE-KMS), through S3 for this bucket only: `kms:Decrypt` and `kms:GenerateDataKey`.
 * The KMS key policies must allow the account's IAM policies to grant these (the CDK default and
 * `KmsKeyWithRotation` do).
 */
export class ClientSideKeyRotation extends Construct {
  /** The rotation function (`LambdaInvoke` target, invocation schema 2.0). */
  public readonly function: lambda.IFunction;
  /** The function's execution role. */
  public readonly functionRole: iam.IRole;
  /** The role to pass as `RoleArn` when creating the Batch Operations job. */
  public readonly batchOperationsRole: iam.IRole;
  /** The `InvocationSchemaVersion` to create the job with. */
  public readonly invocationSchemaVersion: string = '2.0';

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings
   */
  constructor(scope: Construct, id: string, props: ClientSideKeyRotationProps) {
    super(scope, id);
    throwIfProblems(this, validateClientSideKeyRotationProps(props));
    const fromKms = props.fromKeys.filter((k) => k.kmsKey).map((k) => k.kmsKey!);
    const fromSecret = props.fromKeys.find((k) => k.secret);
    const to = props.toKey;

    const environment: Record<string, string> = { ROTATION_CONCURRENCY: String(props.concurrencyPerInvocation ?? DEFAULT_TASKS_PER_INVOCATION) };
    if (fromKms.length > 0) environment.CSE_ROTATION_FROM_KMS_KEY_IDS = fromKms.map((k) => k.keyArn).join(',');
    if (fromSecret) {
      environment.CSE_ROTATION_FROM_AES_SECRET_ID = fromSecret.secret!.secretArn;
      environment.CSE_ROTATION_FROM_AES_SECRET_STAGE = fromSecret.stage ?? DEFAULT_FROM_STAGE;
      if (fromSecret.materialDescription) environment.CSE_ROTATION_FROM_MATERIAL_DESCRIPTION = JSON.stringify(fromSecret.materialDescription);
    }
    if (to.kmsKey) {
      environment.CSE_ROTATION_TO_KMS_KEY_ID = to.kmsKey.keyArn;
    } else {
      environment.CSE_ROTATION_TO_AES_SECRET_ID = to.secret!.secretArn;
      environment.CSE_ROTATION_TO_AES_SECRET_STAGE = to.stage ?? DEFAULT_TO_STAGE;
      if (to.materialDescription) environment.CSE_ROTATION_TO_MATERIAL_DESCRIPTION = JSON.stringify(to.materialDescription);
    }

    const packaged = new BatchOperationsFunction(this, 'Rotate', {
      handlerName: 'client-side-key-rotation',
      description: 'client-side encryption key-encryption-key rotation (S3 Batch Operations)',
      environment,
      job: props,
      defaultMemorySize: 512,
      defaultReportPrefix: 'client-side-key-rotation-reports/',
    });

    // HEAD/GET (current and pinned versions, instruction files), tags; PUT for the copy destination,
    // instruction files and multipart copies; no delete, no list
    packaged.grantObjectActions(
      props.bucket,
      [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        's3:AbortMultipartUpload',
      ],
      'RotateKeysOfObjectsOfThisBucket',
    );
    const statement = (sid: string, actions: string[], keys: kms.IKey[]) =>
      new iam.PolicyStatement({ sid, actions, resources: keys.map((k) => k.keyArn) });
    const kmsToKms = fromKms.length > 0 && Boolean(to.kmsKey);
    if (kmsToKms) packaged.functionPolicy.addStatements(statement('ReEncryptFromOldKeys', ['kms:ReEncryptFrom'], fromKms));
    else if (fromKms.length > 0) packaged.functionPolicy.addStatements(statement('UnwrapWithOldKeys', ['kms:Decrypt'], fromKms));
    if (to.kmsKey) {
      // ReEncryptFrom + ReEncryptTo on the new key: the "already rotated" check re-encrypts from it to itself
      const actions = ['kms:ReEncryptFrom', 'kms:ReEncryptTo', ...(fromSecret ? ['kms:Encrypt'] : [])];
      packaged.functionPolicy.addStatements(statement('WrapWithNewKey', actions, [to.kmsKey]));
    }
    const secrets = [...new Set([...props.fromKeys, to].filter((k) => k.secret).map((k) => k.secret!))];
    secrets.forEach((secret, i) => packaged.grantSecretRead(secret, i === 0 ? 'ReadKeySecret' : `ReadKeySecret${i + 1}`));

    // the bucket's own SSE-KMS key: CopyObject reads and writes the body through S3
    const bucketKey = props.bucket.encryptionKey;
    if (bucketKey) {
      // S3 sends the bucket ARN as context with a Bucket Key, an object ARN without one, decided per
      // object. Only a DSSE-KMS EncryptedBucket rules the bucket ARN out (no Bucket Keys); for a bucket
      // that is not an EncryptedBucket its mode is not known here, so both forms (of this bucket) are allowed.
      const algorithm = EncryptedBucket.of(props.bucket)?.encryption.sseAlgorithm;
      packaged.functionPolicy.addStatements(new iam.PolicyStatement({
        sid: 'BucketKeyThroughS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [bucketKey.keyArn],
        conditions: kmsThroughS3Conditions(Stack.of(this).region, props.bucket.bucketArn, algorithm === undefined || bucketKeyContextPossible(algorithm)),
      }));
    }

    this.function = packaged.function;
    this.functionRole = packaged.role;
    this.batchOperationsRole = packaged.batchOperationsRole;
  }
}
