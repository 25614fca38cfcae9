import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConstructPropError } from './construct-prop-error';
import { EncryptedBucket } from '../encrypted-bucket';
import { type BatchOperationsJobOptions } from '../batch-operations-job-options';
import { type HandlerBundle, handlerBundleDirectory } from './handler-bundles';
import { iam5ResourceFindingId } from './nag-finding-id';

/** Props of {@link BatchOperationsFunction}. */
export interface BatchOperationsFunctionProps {
  /** The pre-bundled handler (from the runtime package's `src/handlers/`, bundled at this package's build). */
  readonly handlerName: HandlerBundle;
  /** What the function does, for the Lambda console. */
  readonly description: string;
  /** Environment variables. */
  readonly environment: Record<string, string>;
  /** The caller's job options (manifest, report, function settings). */
  readonly job: BatchOperationsJobOptions;
  /** Memory when `job.memorySize` is not set. */
  readonly defaultMemorySize: number;
  /** Report prefix when `job.reportPrefix` is not set. */
  readonly defaultReportPrefix: string;
}

/**
 * The packaging shared by the S3 Batch Operations handlers (SSE-C re-key, client-side key rotation):
 * a Lambda function (nodejs24.x, arm64; its handler bundled at this package's build, SDK clients from the
 * Lambda runtime, so consumers need neither esbuild nor Docker) with
 * its own role and log group and no managed policies, plus the role S3 Batch Operations assumes to
 * invoke it. Callers add the data permissions (`grantObjectActions`, `grantSecretRead`, ...).
 */
export class BatchOperationsFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** The function's execution role: only its log group until permissions are granted. */
  public readonly role: iam.Role;
  /** The role to pass as `RoleArn` when creating the Batch Operations job: may invoke only this function. */
  public readonly batchOperationsRole: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's permissions (a customer-managed policy, so compliance packs that reject inline policies pass). */
  public readonly functionPolicy: iam.ManagedPolicy;
  /** The Batch Operations role's permissions. */
  public readonly batchOperationsPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: BatchOperationsFunctionProps) {
    super(scope, id);
    const job = props.job;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: job.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(job.logEncryptionKey ? { encryptionKey: job.logEncryptionKey } : {}),
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.functionPolicy = new iam.ManagedPolicy(this, 'FunctionPolicy', {
      description: `Permissions of ${props.description}`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(handlerBundleDirectory(props.handlerName)),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: job.timeout ?? Duration.minutes(15),
      memorySize: job.memorySize ?? props.defaultMemorySize,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      ...(job.vpc ? { vpc: job.vpc, vpcSubnets: job.vpcSubnets } : {}),
      ...(job.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: job.reservedConcurrentExecutions } : {}),
    });

    this.function.node.addDependency(this.functionPolicy);
    // S3 Batch Operations invokes the function synchronously, one task per invocation ("Invoke a
    // Lambda function with Amazon S3 batch events": https://docs.aws.amazon.com/lambda/latest/dg/services-s3-batch.html);
    // Lambda sends only asynchronous invocations to a dead-letter queue, and each task's outcome is in the job's completion report.
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      Validations.of(this.function.node.defaultChild!).acknowledge({
        id: `${pack}-LambdaDLQ`,
        reason: 'S3 Batch Operations invokes this function synchronously (one task per invocation), and Lambda only sends asynchronous invocations to a dead-letter queue; every task\'s result is recorded in the job\'s completion report instead.',
      });
    }

    this.batchOperationsRole = new iam.Role(this, 'BatchOperationsRole', {
      description: `Assumed by S3 Batch Operations to invoke ${props.description}`,
      // Exactly AWS's trust policy for Batch Operations roles ("Granting permissions for Batch
      // Operations"): no aws:SourceArn / aws:SourceAccount condition, because no AWS document says
      // Batch Operations sets them when it assumes the role, and a condition on a missing key would
      // make every job fail. Who may run jobs with this role is decided by iam:PassRole (and
      // s3:CreateJob), which only principals of this account can hold.
      assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com'),
    });
    this.batchOperationsPolicy = new iam.ManagedPolicy(this, 'BatchOperationsPolicy', {
      description: `Lets S3 Batch Operations invoke ${props.description}`,
      roles: [this.batchOperationsRole],
      statements: [
        // the unqualified function only: create the job with function.functionArn
        new iam.PolicyStatement({ sid: 'InvokeTheHandler', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      ],
    });
    if (job.manifestBucket) this.grantManifestRead(job.manifestBucket, job.manifestPrefix ?? '');
    if (job.reportBucket) this.grantReportWrite(job.reportBucket, job.reportPrefix ?? props.defaultReportPrefix);
  }

  /** Lets the function use `actions` on objects of `bucket` (and nothing else of it). */
  public grantObjectActions(bucket: s3.IBucket, actions: string[], sid: string): void {
    const objects = bucket.arnForObjects('*');
    this.functionPolicy.addStatements(new iam.PolicyStatement({ sid, actions, resources: [objects] }));
    this.acknowledgeWildcardResource(this.functionPolicy, objects,
      `The function works on whichever objects of this one bucket the job's manifest lists (one task per object), and the manifest is chosen when a job is created, so the resource is every object of this bucket; the actions are exactly ${actions.join(', ')} (no delete, no list).`);
  }

  /**
   * Lets the function read `secret` (GetSecretValue only, on this secret only; and its KMS key through Secrets Manager).
   * Pass a distinct `sid` for each further secret (statement ids must be unique within the policy).
   */
  public grantSecretRead(secret: secretsmanager.ISecret, sid = 'ReadKeySecret'): void {
    this.functionPolicy.addStatements(
      new iam.PolicyStatement({
        sid,
        actions: ['secretsmanager:GetSecretValue'],
        // a partial ARN (secret imported by name) needs the random suffix wildcard
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    if (secret.encryptionKey) grantKmsViaService(this.functionPolicy, secret.encryptionKey, ['kms:Decrypt'], 'secretsmanager');
  }

  /** Lets Batch Operations read the job manifest under `prefix` of `bucket`. */
  public grantManifestRead(bucket: s3.IBucket, prefix: string): void {
    const manifests = bucket.arnForObjects(`${prefix}*`);
    this.batchOperationsPolicy.addStatements(
      new iam.PolicyStatement({ sid: 'ReadManifest', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [manifests] }),
    );
    this.acknowledgeWildcardResource(this.batchOperationsPolicy, manifests,
      'Batch Operations reads the manifest of each job (a CSV, or an S3 Inventory manifest.json with all its data files) under this prefix; the manifest\'s key is chosen when a job is created, so read access covers the prefix, read-only.');
    this.batchOperationsPolicy.addStatements(
      new iam.PolicyStatement({ sid: 'LocateManifestBucket', actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    );
    if (bucket.encryptionKey) grantKmsViaService(this.batchOperationsPolicy, bucket.encryptionKey, ['kms:Decrypt'], 's3');
  }

  /**
   * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for exactly `resource` (a wildcard pattern this
   * construct needs) on exactly `policy`, with the reason: the id is the one cdk-nag computes.
   */
  private acknowledgeWildcardResource(policy: iam.ManagedPolicy, resource: string, reason: string): void {
    if (!Token.isUnresolved(resource) && !resource.includes('*')) return;
    Validations.of(policy.node.defaultChild!).acknowledge({ id: iam5ResourceFindingId(Stack.of(this).resolve(resource)), reason });
  }

  /** Lets Batch Operations write the completion report under `prefix` of `bucket`. */
  public grantReportWrite(bucket: s3.IBucket, prefix: string): void {
    // "Completion reports are always encrypted with Amazon S3 managed keys (SSE-S3)"
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html): no KMS
    // permission is needed, and a KMS EncryptedBucket would refuse them (its policy denies SSE-S3 writes).
    const ours = EncryptedBucket.of(bucket);
    if (ours && ours.encryption.usesKms) {
      throw new ConstructPropError(this.node.scope!.node.path, 'reportBucket',
        `${ours.node.path} is ${ours.encryption.name}, but Batch Operations always writes completion reports with SSE-S3, which that bucket's policy refuses.`,
        'write reports to an SSE-S3 bucket, e.g. new EncryptedBucket(this, \'JobReports\', { encryption: BucketEncryptionMode.SSE_S3 }).');
    }
    const reports = bucket.arnForObjects(`${prefix}*`);
    this.batchOperationsPolicy.addStatements(
      new iam.PolicyStatement({ sid: 'WriteReport', actions: ['s3:PutObject'], resources: [reports] }),
    );
    this.acknowledgeWildcardResource(this.batchOperationsPolicy, reports,
      'Batch Operations writes each job\'s completion report under this prefix, in keys it names itself from the job id (<prefix>/job-<job-id>/...: JobReport in the S3 Control API reference), which cannot be known before the job exists; write-only (s3:PutObject).');
    this.batchOperationsPolicy.addStatements(
      new iam.PolicyStatement({ sid: 'LocateReportBucket', actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    );
  }
}

function grantKmsViaService(policy: iam.ManagedPolicy, key: kms.IKey, actions: string[], service: string): void {
  const region = Stack.of(policy).region;
  policy.addStatements(
    new iam.PolicyStatement({
      actions,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    }),
  );
}
