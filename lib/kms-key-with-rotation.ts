import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { type Construct } from 'constructs';
import { throwIfProblems } from './private/construct-prop-error';
import {
  allowUseThroughS3Statement,
  denyGrantsNotForAwsResourcesStatement,
} from './private/kms-key-policy-statements';
import { PENDING_WINDOW_DAYS, ROTATION_PERIOD_DAYS, validateRotatingKeySettings } from './private/kms-key-with-rotation-validation';

/** Props of {@link KmsKeyWithRotation}. */
export interface KmsKeyWithRotationProps {
  /**
   * Description of the key.
   * @default - "Rotating S3 encryption key created by <construct path>"
   */
  readonly description?: string;

  /**
   * An alias for the key, with or without the `alias/` prefix.
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * How often KMS rotates the key material. Between 90 and 2560 days. Rotation is always on.
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;

  /**
   * How long a key scheduled for deletion can still be recovered. Between 7 and 30 days.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the key when it leaves the stack. Deleting a key destroys every object
   * encrypted under it, so the default keeps it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Create a multi-Region primary key, which can be replicated to other Regions with
   * `AWS::KMS::ReplicaKey` (see `ReplicatedEncryptedBucket`).
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * The key spec. Only `SYMMETRIC_DEFAULT` is accepted: S3 needs a symmetric encryption key,
   * and KMS cannot rotate anything else. The prop exists so that a wrong value fails at synth.
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * The key usage. Only `ENCRYPT_DECRYPT` is accepted.
   * @default kms.KeyUsage.ENCRYPT_DECRYPT
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Add a key-policy statement that lets every principal of this account use the key for S3
   * encryption, only through S3 in this stack's Region (`kms:ViaService` = `s3.<region>.amazonaws.com`,
   * `kms:CallerAccount` = this account). This is the `aws/s3` model: S3 permissions on a bucket then
   * suffice, without per-principal KMS grants. Leave it off to require explicit KMS grants
   * (`EncryptedBucket.grantRead` and friends add them).
   * @default false
   */
  readonly allowUseThroughS3?: boolean;
}

/**
 * A symmetric KMS key that is safe for S3 by default: rotation always on (365 days unless set),
 * 30-day deletion window, retained on stack deletion, administrators of the account keep full
 * control (no lock-out), and grants can only be created by AWS services for AWS resources
 * (Control Tower CT.KMS.PR.3).
 */
export class KmsKeyWithRotation extends kms.Key {
  /** The rotation period in whole days. */
  public readonly rotationPeriodDays: number;

  private allowsUseThroughS3 = false;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings (all optional)
   */
  constructor(scope: Construct, id: string, props: KmsKeyWithRotationProps = {}) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    throwIfProblems(path, validateRotatingKeySettings(props));
    const rotationPeriod = props.rotationPeriod ?? Duration.days(ROTATION_PERIOD_DAYS.default);
    super(scope, id, {
      description: props.description ?? `Rotating S3 encryption key created by ${path}`,
      alias: props.alias,
      enableKeyRotation: true,
      rotationPeriod,
      pendingWindow: props.pendingWindow ?? Duration.days(PENDING_WINDOW_DAYS.default),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      multiRegion: props.multiRegion,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    });
    this.rotationPeriodDays = rotationPeriod.toDays();
    this.addToResourcePolicy(denyGrantsNotForAwsResourcesStatement());
    if (props.allowUseThroughS3) this.allowUseThroughS3();
  }

  /**
   * Add the statement described at {@link KmsKeyWithRotationProps.allowUseThroughS3}. Idempotent.
   */
  public allowUseThroughS3(): void {
    if (this.allowsUseThroughS3) return;
    const stack = Stack.of(this);
    this.addToResourcePolicy(allowUseThroughS3Statement(stack.region, stack.account));
    this.allowsUseThroughS3 = true;
  }
}
