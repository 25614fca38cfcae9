import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConstructPropError, throwIfProblems } from './private/construct-prop-error';
import { type EncryptedBucket } from './encrypted-bucket';
import { type BatchOperationsJobOptions } from './batch-operations-job-options';
import { DEFAULT_TASKS_PER_INVOCATION, validateBatchOperationsJobOptions } from './private/batch-operations-job-validation';
import { BatchOperationsFunction } from './private/batch-operations-function';

/** Props of {@link SseCKeyRotation}. */
export interface SseCKeyRotationProps extends BatchOperationsJobOptions {
  /**
   * The bucket whose SSE-C objects are re-keyed. It must have the SSE-C opt-in
   * (`new EncryptedBucket(..., { sseC: {} })`); the function's role is added to its SSE-C custodians.
   */
  readonly bucket: EncryptedBucket;

  /**
   * The Secrets Manager secret holding the 256-bit SSE-C key (SecretBinary: 32 bytes; or SecretString:
   * its base64, or JSON `{"key": "<base64>"}`). Objects are re-keyed from its `AWSPREVIOUS` version to
   * its `AWSCURRENT` version: rotate the secret, then run a Batch Operations job with this function.
   */
  readonly keySecret: secretsmanager.ISecret;

  /**
   * Further roles that may send SSE-C requests to the bucket (e.g. the application that reads and
   * writes the objects). Everyone else is denied SSE-C by the bucket policy.
   * @default - only the re-key function
   */
  readonly sseCRoles?: iam.IRole[];

  /**
   * How long the function caches the key versions. After a rotation, running functions switch to the
   * new key within this time; start the job after it (or deploy) so no task still sees the old versions.
   * @default Duration.minutes(5)
   */
  readonly keyCacheTtl?: Duration;
}

/**
 * Re-keys SSE-C objects at any scale with S3 Batch Operations: a Lambda function that re-encrypts one
 * object per task from the secret's `AWSPREVIOUS` key to its `AWSCURRENT` key (idempotent; server-side
 * copy, no data through Lambda), the role Batch Operations uses to invoke it, and the bucket's SSE-C
 * custodian policy naming the function's role (and `sseCRoles`) as the only principals that may use SSE-C.
 *
 * Least privilege: the function may read, write and copy objects of this bucket only (no delete, no
 * list, no KMS) and read this secret only; the Batch Operations role may invoke this function only,
 * and read the manifest / write the report under the given prefixes.
 */
export class SseCKeyRotation extends Construct {
  /** The re-key function (`LambdaInvoke` target, invocation schema 2.0). */
  public readonly function: lambda.IFunction;
  /** The function's execution role, an SSE-C custodian of the bucket. */
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
  constructor(scope: Construct, id: string, props: SseCKeyRotationProps) {
    super(scope, id);
    if (!props.bucket.sseCAllowed) {
      throw new ConstructPropError(
        this.node.path,
        'bucket',
        `${props.bucket.node.path} blocks SSE-C (BlockedEncryptionTypes: SSE-C), so there are no SSE-C objects to re-key and the function could not write them.`,
        'create the bucket with the SSE-C opt-in: new EncryptedBucket(scope, id, { sseC: {} }); this construct adds its function role (and sseCRoles) as the custodians.',
      );
    }
    throwIfProblems(this, validateBatchOperationsJobOptions(props));
    const concurrency = props.concurrencyPerInvocation ?? DEFAULT_TASKS_PER_INVOCATION;
    const ttl = props.keyCacheTtl ?? Duration.minutes(5);

    const packaged = new BatchOperationsFunction(this, 'Rekey', {
      handlerName: 'sse-c-rekey',
      description: 'SSE-C re-key (S3 Batch Operations, AWSPREVIOUS -> AWSCURRENT)',
      environment: {
        SSE_C_SECRET_ID: props.keySecret.secretArn,
        SSE_C_KEY_CACHE_TTL_SECONDS: String(ttl.toSeconds()),
        REKEY_CONCURRENCY: String(concurrency),
      },
      job: props,
      defaultMemorySize: 1024,
      defaultReportPrefix: 'sse-c-key-rotation-reports/',
    });
    // HEAD/GET (current and by version), PUT / multipart / copy destination, tags carried over; no delete, no list
    packaged.grantObjectActions(
      props.bucket.bucket,
      [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging', // tags are re-applied to the new version by VersionId
        's3:AbortMultipartUpload',
      ],
      'RekeyObjectsOfThisBucket',
    );
    packaged.grantSecretRead(props.keySecret);

    props.bucket.allowSseCFrom(packaged.role);
    for (const role of props.sseCRoles ?? []) props.bucket.allowSseCFrom(role);

    this.function = packaged.function;
    this.functionRole = packaged.role;
    this.batchOperationsRole = packaged.batchOperationsRole;
  }
}
