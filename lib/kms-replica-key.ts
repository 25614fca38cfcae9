import { Arn, ArnFormat, Duration, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { type Construct } from 'constructs';
import { ConstructPropError, throwIfProblems } from './private/construct-prop-error';
import { denyGrantsNotForAwsResourcesStatement } from './private/kms-key-policy-statements';
import { PENDING_WINDOW_DAYS } from './private/kms-key-with-rotation-validation';
import { validateReplicaKeySettings } from './private/kms-replica-key-validation';

/** Props of {@link KmsReplicaKey}. */
export interface KmsReplicaKeyProps {
  /**
   * ARN of the multi-Region primary key (a `KmsKeyWithRotation` with `multiRegion: true`), in
   * another Region than this stack's. The replica has the same key id and key material.
   */
  readonly primaryKeyArn: string;

  /**
   * Description of the replica key.
   * @default - "Replica (multi-Region) S3 encryption key created by <construct path>"
   */
  readonly description?: string;

  /**
   * An alias for the replica key, with or without the `alias/` prefix.
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * How long the replica key can still be recovered after it is scheduled for deletion. 7-30 days.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the replica key when it leaves the stack. Deleting it makes every object
   * encrypted under it in this Region unreadable here, so the default keeps it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The replica, in this stack's Region, of a multi-Region KMS key (`AWS::KMS::ReplicaKey`, for
 * which aws-cdk-lib has no L2). It follows the same key-policy rules as `KmsKeyWithRotation`:
 * administrators of the account keep full control (no lock-out) and grants can only be created by
 * AWS services for AWS resources (Control Tower CT.KMS.PR.3). Rotation is set on the primary key
 * and applies to its replicas. Only symmetric encryption: the sign and MAC grants throw.
 */
export class KmsReplicaKey extends Resource implements kms.IKey {
  /**
   * The ARN the replica of `primaryKey` has in `region`: the same key id in another Region. Use it
   * in the source stack to name a destination's replica key without a cross-stack reference.
   */
  public static replicaArnOf(primaryKey: kms.IKey, region: string): string {
    const cfn = primaryKey.node.defaultChild;
    if (cfn instanceof kms.CfnKey && cfn.multiRegion !== true) {
      throw new ConstructPropError(primaryKey.node.path, 'multiRegion',
        'the key is not a multi-Region key, so it has no replicas.',
        'create it with multiRegion: true (KmsKeyWithRotation supports it), or use an independent key in the destination Region.');
    }
    if (!Token.isUnresolved(primaryKey.keyArn)) {
      const parts = Arn.split(primaryKey.keyArn, ArnFormat.SLASH_RESOURCE_NAME);
      return Arn.format({ ...parts, region }, Stack.of(primaryKey));
    }
    return Stack.of(primaryKey).formatArn({
      service: 'kms', region, resource: 'key', resourceName: primaryKey.keyId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** The ARN of the replica key. */
  public readonly keyArn: string;
  /** The key id (the primary's id, `mrk-...`). */
  public readonly keyId: string;
  /** The ARN of the primary key. */
  public readonly primaryKeyArn: string;
  /** The key policy. Add statements with `addToResourcePolicy`. */
  public readonly policy: iam.PolicyDocument;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings
   */
  constructor(scope: Construct, id: string, props: KmsReplicaKeyProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    throwIfProblems(this, validateReplicaKeySettings(props, Token.isUnresolved(region) ? undefined : region));
    this.primaryKeyArn = props.primaryKeyArn;
    this.policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowAccountAdministration',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:*'],
          resources: ['*'],
        }),
        denyGrantsNotForAwsResourcesStatement(),
      ],
    });
    const cfn = new kms.CfnReplicaKey(this, 'Resource', {
      primaryKeyArn: props.primaryKeyArn,
      keyPolicy: this.policy,
      description: props.description ?? `Replica (multi-Region) S3 encryption key created by ${this.node.path}`,
      pendingWindowInDays: (props.pendingWindow ?? Duration.days(PENDING_WINDOW_DAYS.default)).toDays(),
      enabled: true,
    });
    cfn.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.keyArn = cfn.attrArn;
    this.keyId = cfn.attrKeyId;
    if (props.alias) this.addAlias(props.alias);
  }

  /** Reference to this key (keyArn and keyId). */
  public get keyRef(): kms.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** Defines an alias (with or without the `alias/` prefix: `kms.Alias` adds it) for this replica key. */
  public addAlias(aliasName: string): kms.Alias {
    return new kms.Alias(this, `Alias${this.node.children.filter((c) => c instanceof kms.Alias).length || ''}`, {
      aliasName,
      targetKey: this,
    });
  }

  /**
   * Adds a statement to the key policy. Always added: the replica key's policy is defined here.
   * @param statement the statement to add
   * @param _allowNoOp ignored: it only matters for keys without a policy in the app (imported keys)
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, _allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.node.defaultChild };
  }

  /** Grants `actions` on this key to `grantee` (identity policy, or key policy across accounts). */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee, actions, resourceArns: [this.keyArn], resource: this, resourceSelfArns: ['*'],
    });
  }

  /** Grants `kms:Decrypt`. */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Decrypt');
  }

  /** Grants `kms:Encrypt` and `kms:GenerateDataKey`. */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Encrypt', 'kms:GenerateDataKey');
  }

  /** Grants `kms:Encrypt`, `kms:GenerateDataKey` and `kms:Decrypt`. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** Not supported: a symmetric encryption key cannot sign. */
  public grantSign(_grantee: iam.IGrantable): iam.Grant {
    return this.unsupported('grantSign', 'sign');
  }

  /** Not supported: a symmetric encryption key cannot verify signatures. */
  public grantVerify(_grantee: iam.IGrantable): iam.Grant {
    return this.unsupported('grantVerify', 'verify signatures');
  }

  /** Not supported: a symmetric encryption key cannot sign or verify. */
  public grantSignVerify(_grantee: iam.IGrantable): iam.Grant {
    return this.unsupported('grantSignVerify', 'sign or verify');
  }

  /** Not supported: a symmetric encryption key cannot generate MACs. */
  public grantGenerateMac(_grantee: iam.IGrantable): iam.Grant {
    return this.unsupported('grantGenerateMac', 'generate MACs');
  }

  /** Not supported: a symmetric encryption key cannot verify MACs. */
  public grantVerifyMac(_grantee: iam.IGrantable): iam.Grant {
    return this.unsupported('grantVerifyMac', 'verify MACs');
  }

  private unsupported(method: string, what: string): never {
    throw new Error(`${this.node.path}: ${method}() is not supported: a symmetric S3 encryption key cannot ${what}. `
      + 'Fix: use a separate asymmetric or HMAC key for that.');
  }
}
