import { Duration, Token } from 'aws-cdk-lib';
import { BucketEncryptionMode } from './bucket-encryption-mode';
import { type PropProblem, throwIfProblems } from './private/construct-prop-error';

/** What to estimate the KMS request rate of: one bucket's expected traffic. */
export interface KmsRequestRateProps {
  /**
   * Object uploads per second: PutObject, the destination of CopyObject, and CreateMultipartUpload.
   * Each one makes S3 ask KMS for a data key (GenerateDataKey).
   */
  readonly putsPerSecond: number;

  /** Object downloads per second (GetObject). Each one makes S3 ask KMS to decrypt the data key (Decrypt). */
  readonly getsPerSecond: number;

  /**
   * The bucket's encryption.
   * @default BucketEncryptionMode.SSE_KMS
   */
  readonly encryption?: BucketEncryptionMode;

  /**
   * Whether the bucket uses S3 Bucket Keys. SSE-KMS only: DSSE-KMS does not support them.
   * @default true for SSE_KMS (EncryptedBucket's default); false otherwise
   */
  readonly bucketKeyEnabled?: boolean;

  /**
   * How long S3 reuses one Bucket Key before asking KMS again. AWS documents only "a time-limited
   * period"; the default is deliberately short, so that the estimate errs high.
   * @default Duration.minutes(1)
   */
  readonly bucketKeyReusePeriod?: Duration;

  /**
   * How many different Bucket Keys the downloads in one reuse period read objects under. Objects
   * written at different times may be under different Bucket Keys, and S3 decrypts each one it
   * needs. Raise it when reads spread over objects written long ago.
   * @default 1
   */
  readonly bucketKeysReadPerPeriod?: number;

  /**
   * KMS requests S3 makes for each DSSE-KMS upload or download. AWS says DSSE-KMS brings
   * "increased ... AWS KMS API calls" without a number, and documents one KMS-generated data key
   * per object; the default counts that one.
   * @default 1
   */
  readonly dsseKmsRequestsPerObjectRequest?: number;

  /**
   * Your account's applied quota for "Cryptographic operations (symmetric) request rate" in the
   * bucket's Region, in requests per second (Service Quotas shows it; `defaultSymmetricQuota` gives
   * AWS's default). With it, the estimate also says what share of the quota the bucket uses.
   * @default - no share computed
   */
  readonly quotaRequestsPerSecond?: number;
}

/** The estimated KMS request rate of a bucket, and what it rests on. */
export interface KmsRequestRateEstimate {
  /** KMS requests per second the bucket's traffic causes. */
  readonly requestsPerSecond: number;
  /** Of which GenerateDataKey (uploads). */
  readonly generateDataKeyRequestsPerSecond: number;
  /** Of which Decrypt (downloads). */
  readonly decryptRequestsPerSecond: number;
  /** The same traffic without S3 Bucket Keys, for comparison. */
  readonly withoutBucketKeysRequestsPerSecond: number;
  /** The KMS quota the requests count against (its name in Service Quotas); empty for SSE-S3. */
  readonly quotaName: string;
  /**
   * `requestsPerSecond` as a percentage of `quotaRequestsPerSecond`.
   * @default - not computed: no `quotaRequestsPerSecond` was given
   */
  readonly percentOfQuota?: number;
  /** What the estimate assumes, including where AWS documents nothing. */
  readonly assumptions: string[];
}

/**
 * Estimates the KMS requests a bucket's traffic causes, against the KMS request quota that throttles
 * them. Pure: no AWS calls.
 *
 * The model, from AWS's documentation:
 * - SSE-KMS without Bucket Keys: "Each time you upload or download an S3 object that's encrypted with
 *   SSE-KMS, Amazon S3 makes a GenerateDataKey (for uploads) or Decrypt (for downloads) request to
 *   AWS KMS on your behalf. These requests count toward your quota" ("Request quotas", AWS KMS
 *   Developer Guide).
 * - With S3 Bucket Keys: one request per Bucket Key per reuse period, but never less than 1% of the
 *   requests without them ("can reduce AWS KMS request costs by up to 99 percent", "Reducing the
 *   cost of SSE-KMS with Amazon S3 Bucket Keys").
 * - DSSE-KMS: `dsseKmsRequestsPerObjectRequest` per upload or download; no Bucket Keys.
 * - SSE-S3: no KMS requests.
 */
export class KmsRequestRate {
  /** The Service Quotas name of the quota S3 encryption requests count against. */
  public static readonly SYMMETRIC_QUOTA_NAME = 'Cryptographic operations (symmetric) request rate';

  /**
   * AWS's default for "Cryptographic operations (symmetric) request rate" in a Region, in requests
   * per second, from the "Request quotas" table of the AWS KMS Developer Guide
   * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). Your account's
   * applied value can be higher: read it in Service Quotas.
   * @param region e.g. `us-east-1`
   */
  public static defaultSymmetricQuota(region: string): number {
    if (Token.isUnresolved(region)) {
      throw new Error('defaultSymmetricQuota needs a concrete Region (the stack\'s region is a token: give the stack an env).');
    }
    if (['us-east-1', 'us-west-2', 'eu-west-1'].includes(region)) return 100_000;
    if (['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2'].includes(region)) return 20_000;
    return 10_000;
  }

  /** Estimate the KMS request rate of one bucket's traffic. */
  public static estimate(props: KmsRequestRateProps): KmsRequestRateEstimate {
    const encryption = props.encryption ?? BucketEncryptionMode.SSE_KMS;
    throwIfProblems('KmsRequestRate.estimate', validate(props, encryption));
    const puts = props.putsPerSecond;
    const gets = props.getsPerSecond;
    const assumptions: string[] = [];
    if (!encryption.usesKms) {
      assumptions.push('SSE-S3 keys are managed by S3: no KMS requests.');
      return { requestsPerSecond: 0, generateDataKeyRequestsPerSecond: 0, decryptRequestsPerSecond: 0, withoutBucketKeysRequestsPerSecond: 0, quotaName: '', assumptions };
    }
    const perRequest = encryption === BucketEncryptionMode.DSSE_KMS ? props.dsseKmsRequestsPerObjectRequest ?? 1 : 1;
    const rawPuts = puts * perRequest;
    const rawGets = gets * perRequest;
    if (encryption === BucketEncryptionMode.DSSE_KMS) {
      assumptions.push(`DSSE-KMS: ${perRequest} KMS request(s) per upload and per download (AWS says DSSE-KMS brings "increased ... AWS KMS API calls" but gives no number). S3 Bucket Keys are not supported with DSSE-KMS.`);
    } else {
      assumptions.push('SSE-KMS: one GenerateDataKey per upload and one Decrypt per download without Bucket Keys (AWS KMS "Request quotas").');
    }
    let generateDataKey = rawPuts;
    let decrypt = rawGets;
    const bucketKeys = encryption === BucketEncryptionMode.SSE_KMS && (props.bucketKeyEnabled ?? true);
    if (bucketKeys) {
      const reuseSeconds = (props.bucketKeyReusePeriod ?? Duration.minutes(1)).toSeconds();
      const keysRead = props.bucketKeysReadPerPeriod ?? 1;
      generateDataKey = withBucketKeys(rawPuts, 1 / reuseSeconds);
      decrypt = withBucketKeys(rawGets, keysRead / reuseSeconds);
      assumptions.push(
        `S3 Bucket Keys: one GenerateDataKey per ${reuseSeconds} s reuse period for uploads and one Decrypt per Bucket Key read (${keysRead}) per period for downloads; AWS does not document the reuse period.`,
        'Never less than 1% of the requests without Bucket Keys: AWS documents a reduction of "up to 99 percent".',
      );
    }
    const total = generateDataKey + decrypt;
    assumptions.push(`Counts against "${KmsRequestRate.SYMMETRIC_QUOTA_NAME}", shared by every symmetric-key request of the account in the Region, including other services' requests on your behalf.`);
    return {
      requestsPerSecond: total,
      generateDataKeyRequestsPerSecond: generateDataKey,
      decryptRequestsPerSecond: decrypt,
      withoutBucketKeysRequestsPerSecond: rawPuts + rawGets,
      quotaName: KmsRequestRate.SYMMETRIC_QUOTA_NAME,
      percentOfQuota: props.quotaRequestsPerSecond === undefined ? undefined : 100 * total / props.quotaRequestsPerSecond,
      assumptions,
    };
  }

  private constructor() {}
}

/** Requests with Bucket Keys: at most the raw rate, at least 1% of it, otherwise the key-refresh rate. */
function withBucketKeys(raw: number, refreshRate: number): number {
  if (raw === 0) return 0;
  return Math.max(0.01 * raw, Math.min(raw, refreshRate));
}

function validate(props: KmsRequestRateProps, encryption: BucketEncryptionMode): PropProblem[] {
  const problems: PropProblem[] = [];
  const nonNegative = (prop: string, value: number | undefined, positive = false) => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      problems.push({ prop, problem: `${value} is not a ${positive ? 'positive' : 'non-negative'} finite number.`, fix: `pass a number ${positive ? '> 0' : '>= 0'}.` });
    }
  };
  nonNegative('putsPerSecond', props.putsPerSecond);
  nonNegative('getsPerSecond', props.getsPerSecond);
  nonNegative('bucketKeysReadPerPeriod', props.bucketKeysReadPerPeriod, true);
  nonNegative('dsseKmsRequestsPerObjectRequest', props.dsseKmsRequestsPerObjectRequest, true);
  nonNegative('quotaRequestsPerSecond', props.quotaRequestsPerSecond, true);
  if (props.bucketKeyReusePeriod && props.bucketKeyReusePeriod.toMilliseconds() <= 0) {
    problems.push({ prop: 'bucketKeyReusePeriod', problem: 'the reuse period must be longer than zero.', fix: 'pass e.g. Duration.minutes(1), or omit it.' });
  }
  if (props.bucketKeyEnabled === true && encryption !== BucketEncryptionMode.SSE_KMS) {
    problems.push({
      prop: 'bucketKeyEnabled',
      problem: `S3 Bucket Keys only apply to SSE-KMS, not ${encryption.name}.`,
      fix: 'remove bucketKeyEnabled, or estimate an SSE_KMS bucket.',
    });
  }
  if (props.dsseKmsRequestsPerObjectRequest !== undefined && encryption !== BucketEncryptionMode.DSSE_KMS) {
    problems.push({ prop: 'dsseKmsRequestsPerObjectRequest', problem: `it only applies to DSSE-KMS, not ${encryption.name}.`, fix: 'remove it, or set encryption: BucketEncryptionMode.DSSE_KMS.' });
  }
  return problems;
}
