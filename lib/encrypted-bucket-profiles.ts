import { BucketEncryptionMode } from './bucket-encryption-mode';
import { type PropProblem } from './private/construct-prop-error';
import type { EncryptedBucketProps } from './encrypted-bucket';

/**
 * A named preset of {@link EncryptedBucket} props. An enum-like class: use the static members.
 *
 * Every profile keeps what `EncryptedBucket` always does (all public access blocked, ACLs
 * disabled, TLS-only policy with a 1.2 minimum, encryption-header policy, incomplete multipart
 * uploads aborted after 7 days, retained on stack deletion) and guarantees SSE-C stays blocked.
 *
 * | | GENERAL_PURPOSE | REGULATED | STRICT |
 * |---|---|---|---|
 * | default encryption | SSE-S3 (`AES256`) | SSE-KMS, new rotating customer-managed key unless `encryptionKey` | DSSE-KMS, new rotating customer-managed key unless `encryptionKey` |
 * | S3 Bucket Keys | n/a | on | n/a (unsupported with DSSE-KMS) |
 * | versioning | on | on (required) | on (required) |
 * | server access logs | optional | required (`serverAccessLogsBucket`, an SSE-S3 bucket) | required (`serverAccessLogsBucket`, an SSE-S3 bucket) |
 * | Object Lock | optional | optional (`objectLockEnabled`; `ObjectLockConfiguration` only with a default retention) | optional |
 * | SSE-C | blocked (required) | blocked (required) | blocked (required) |
 *
 * Explicit props override the profile's values when they keep its guarantees (a stricter
 * encryption, TLS 1.3, Object Lock). Props that break a guarantee are synth errors: `sseC` with
 * any profile; with REGULATED: `encryption: SSE_S3`, `bucketKeyEnabled: false`, `versioned: false`,
 * no `serverAccessLogsBucket`; with STRICT: any `encryption` but DSSE_KMS, `versioned: false`, no
 * `serverAccessLogsBucket`.
 */
export class EncryptedBucketProfile {
  /**
   * SSE-S3 with TLS and SSE-C blocked: encryption at rest without KMS cost or key management, for
   * data that needs no key-level access control or audit (Security Hub S3.17 is not met).
   */
  public static readonly GENERAL_PURPOSE = new EncryptedBucketProfile('GENERAL_PURPOSE', BucketEncryptionMode.SSE_S3, {
    acceptedEncryption: [BucketEncryptionMode.SSE_S3, BucketEncryptionMode.SSE_KMS, BucketEncryptionMode.DSSE_KMS],
    requiresBucketKeys: false,
    requiresVersioning: false,
    requiresAccessLogs: false,
  });

  /**
   * SSE-KMS under a rotating customer-managed key with S3 Bucket Keys, server access logs and
   * versioning: what HIPAA, NIST 800-53 and PCI DSS checks expect of a bucket holding regulated
   * data. The log bucket is required, not created: regulated environments keep one log bucket per
   * account and Region (often a log-archive account), with a retention the platform team owns. It
   * must be SSE-S3 ("Enabling Amazon S3 server access logging"), e.g. a GENERAL_PURPOSE bucket:
   * `S3EncryptionChecks` accepts it by design, the KMS checks of other packs need an acknowledgement.
   */
  public static readonly REGULATED = new EncryptedBucketProfile('REGULATED', BucketEncryptionMode.SSE_KMS, {
    acceptedEncryption: [BucketEncryptionMode.SSE_KMS, BucketEncryptionMode.DSSE_KMS],
    requiresBucketKeys: true,
    requiresVersioning: true,
    requiresAccessLogs: true,
  });

  /**
   * REGULATED with DSSE-KMS (two independent layers of encryption, e.g. for CNSSP 15) instead of
   * SSE-KMS. DSSE-KMS calls KMS for every object (no Bucket Keys), so it costs more.
   */
  public static readonly STRICT = new EncryptedBucketProfile('STRICT', BucketEncryptionMode.DSSE_KMS, {
    acceptedEncryption: [BucketEncryptionMode.DSSE_KMS],
    requiresBucketKeys: false,
    requiresVersioning: true,
    requiresAccessLogs: true,
  });

  /** The encryption modes this profile accepts (an explicit `encryption` must be one of them). */
  public readonly acceptedEncryption: BucketEncryptionMode[];
  /** Whether `bucketKeyEnabled: false` is rejected (SSE-KMS buckets keep Bucket Keys on). */
  public readonly requiresBucketKeys: boolean;
  /** Whether `versioned: false` is rejected. */
  public readonly requiresVersioning: boolean;
  /** Whether a `serverAccessLogsBucket` is required. */
  public readonly requiresAccessLogs: boolean;

  private constructor(
    /** The member name. */
    public readonly name: string,
    /** The default encryption the profile sets. */
    public readonly encryption: BucketEncryptionMode,
    guarantees: {
      acceptedEncryption: BucketEncryptionMode[];
      requiresBucketKeys: boolean;
      requiresVersioning: boolean;
      requiresAccessLogs: boolean;
    },
  ) {
    this.acceptedEncryption = guarantees.acceptedEncryption;
    this.requiresBucketKeys = guarantees.requiresBucketKeys;
    this.requiresVersioning = guarantees.requiresVersioning;
    this.requiresAccessLogs = guarantees.requiresAccessLogs;
  }

  /**
   * The weakest default encryption the profile accepts: pass it to `S3EncryptionChecks` or
   * `EncryptionGuardrails` as `minimumEncryption` to hold an app to this profile.
   */
  public get minimumEncryption(): BucketEncryptionMode {
    return this.acceptedEncryption[0];
  }

  /** The member name. */
  public toString(): string {
    return this.name;
  }

  /** Props that break a guarantee of this profile. Pure. @internal */
  public _conflicts(props: EncryptedBucketProps): PropProblem[] {
    const problems: PropProblem[] = [];
    const profile = `the ${this.name} profile`;
    if (props.sseC !== undefined) {
      problems.push({
        prop: 'sseC',
        problem: `${profile} keeps SSE-C blocked, but SSE-C was opted in.`,
        fix: 'remove sseC, or use EncryptedBucket without a profile for SSE-C custodian buckets.',
      });
    }
    if (props.encryption !== undefined && !this.acceptedEncryption.includes(props.encryption)) {
      problems.push({
        prop: 'encryption',
        problem: `${profile} requires ${this.acceptedEncryption.map((m) => m.name).join(' or ')}, but encryption is ${props.encryption.name}.`,
        fix: `remove encryption (the profile sets ${this.encryption.name}), or choose another profile.`,
      });
    }
    const encryption = props.encryption ?? this.encryption;
    if (this.requiresBucketKeys && encryption === BucketEncryptionMode.SSE_KMS && props.bucketKeyEnabled === false) {
      problems.push({
        prop: 'bucketKeyEnabled',
        problem: `${profile} keeps S3 Bucket Keys on for SSE-KMS.`,
        fix: 'remove bucketKeyEnabled: false.',
      });
    }
    if (this.requiresVersioning && props.versioned === false) {
      problems.push({
        prop: 'versioned',
        problem: `${profile} requires versioning.`,
        fix: 'remove versioned: false.',
      });
    }
    if (this.requiresAccessLogs && props.serverAccessLogsBucket === undefined) {
      problems.push({
        prop: 'serverAccessLogsBucket',
        problem: `${profile} requires server access logs, and no log bucket was given.`,
        fix: 'pass serverAccessLogsBucket: a bucket in the same account and Region, encrypted with SSE-S3, the only encryption S3 server access logging '
          + 'supports (e.g. new EncryptedBucket(this, \'AccessLogs\', { profile: EncryptedBucketProfile.GENERAL_PURPOSE }).bucket).',
      });
    }
    return problems;
  }

  /**
   * The profile's values, overridden by the explicitly given props. The profile only sets the
   * encryption: every other guarantee (versioning, Bucket Keys, TLS 1.2) is already
   * `EncryptedBucket`'s default, and `_conflicts` rejects props that would break it.
   * @internal
   */
  public _merge(props: EncryptedBucketProps): EncryptedBucketProps {
    return { ...props, encryption: props.encryption ?? this.encryption };
  }
}
