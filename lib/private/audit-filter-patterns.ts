/**
 * The CloudWatch Logs filter patterns of EncryptionAudit, as pure functions of strings (which may
 * be CDK tokens). Syntax: "Filter pattern syntax for metric filters, subscription filters, filter log
 * events, and Live Tail", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html.
 * Each pattern is checked against CloudTrail records from AWS documentation in
 * test/audit/metric-filters.test.ts.
 */

/**
 * Security Hub [CloudWatch.7] / CIS AWS Foundations 3.7 and 4.7, verbatim: "This control fails if
 * the exact metric filters prescribed by CIS are not used. Additional fields or terms cannot be
 * added to the metric filters." https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-7
 */
export const KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN =
  '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}';

/**
 * KMS throttled a request. KMS's error code is `ThrottlingException` ("Throttling AWS KMS requests",
 * https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html); failed calls carry it in
 * the top-level `errorCode` field ("CloudTrail record contents"). AWS does not document that throttled
 * KMS calls are recorded in CloudTrail: the AWS/Usage quota alarm is the primary capacity signal.
 */
export const KMS_THROTTLING_PATTERN = '{ ($.eventSource = "kms.amazonaws.com") && ($.errorCode = "ThrottlingException") }';

/** The CloudTrail `eventName`s of changes to a bucket's policy or default encryption. */
export const BUCKET_POLICY_AND_ENCRYPTION_EVENTS = ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketEncryption', 'DeleteBucketEncryption'] as const;

/** `filterPattern` maximum length (PutMetricFilter / TestMetricFilter: 0-1024). */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

/** A value a pattern names, with the longest it can resolve to (CDK tokens are longer or shorter than their final value). */
export interface PatternValue {
  readonly text: string;
  readonly maxLength: number;
}

/** How the KMS AccessDenied pattern recognises one of the library's keys. */
export type KeyMatch =
  /** The key's id (`1234abcd-...` or `mrk-...`): matches a bare id and any ARN ending in it. */
  | { readonly kind: 'keyId'; readonly keyId: PatternValue }
  /** Every key of an account in a Region: `arn:<partition>:kms:<region>:<account>:key/`. */
  | { readonly kind: 'keyArnPrefix'; readonly prefix: PatternValue };

/**
 * KMS denied a request on one of `keys`. The error code: `AccessDeniedException` is the common
 * error of every AWS API ("Common Errors", https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html);
 * `AccessDenied*` also covers `AccessDenied`, as Security Hub [CloudWatch.2]'s pattern does. The key
 * is identified by `resources[0].ARN` or `requestParameters.keyId`, the two fields AWS's KMS
 * CloudTrail examples use ("Logging AWS KMS API calls with AWS CloudTrail"); which of them an
 * AccessDenied record carries is not documented, so either matches.
 * @returns one pattern per chunk of keys that fits in 1024 characters
 */
export function kmsAccessDeniedPatterns(keys: readonly KeyMatch[]): string[] {
  const head = '{ ($.eventSource = "kms.amazonaws.com") && ($.errorCode = "AccessDenied*") && (';
  const clause = (key: KeyMatch): Clause => {
    const value = key.kind === 'keyId' ? key.keyId : key.prefix;
    const quoted = key.kind === 'keyId' ? `"*${value.text}"` : `"${value.text}*"`;
    const text = `($.resources[0].ARN = ${quoted}) || ($.requestParameters.keyId = ${quoted})`;
    return { text, maxLength: text.length - 2 * value.text.length + 2 * value.maxLength };
  };
  return chunked(head, keys.map(clause), ') }');
}

/**
 * S3 denied (`AccessDenied`) a request to one of `bucketNames` that carried encryption headers:
 * what the bucket policies' encryption statements deny (another algorithm or KMS key, KMS without a
 * key id, SSE-C) and what `BlockedEncryptionTypes: SSE-C` rejects ("...will be rejected with an HTTP
 * 403 AccessDenied error", https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html).
 * Request headers appear under `requestParameters` ("CloudTrail log file entries for Amazon S3",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html).
 * The KMS key id header always comes with `x-amz-server-side-encryption`, so the algorithm header
 * covers "another key" too. A request denied for another reason (no IAM permission) that happened
 * to carry these headers also counts.
 */
export function encryptionPolicyDenialPatterns(bucketNames: readonly PatternValue[]): string[] {
  const head = '{ ($.eventSource = "s3.amazonaws.com") && ($.errorCode = "AccessDenied") && '
    + '(($.requestParameters.x-amz-server-side-encryption = "*") || ($.requestParameters.x-amz-server-side-encryption-customer-algorithm = "*")) && (';
  return chunked(head, bucketNames.map(bucketClause), ') }');
}

/**
 * A change (or an attempted change) to the policy or default encryption of one of `bucketNames`.
 * Event names: "Monitoring default encryption with CloudTrail and CloudWatch"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption-tracking.html) and
 * Security Hub [CloudWatch.8]'s pattern (PutBucketPolicy, DeleteBucketPolicy).
 */
export function bucketPolicyOrEncryptionChangePatterns(bucketNames: readonly PatternValue[]): string[] {
  const events = BUCKET_POLICY_AND_ENCRYPTION_EVENTS.map((e) => `($.eventName = "${e}")`).join(' || ');
  const head = `{ ($.eventSource = "s3.amazonaws.com") && (${events}) && (`;
  return chunked(head, bucketNames.map(bucketClause), ') }');
}

interface Clause { readonly text: string; readonly maxLength: number }

function bucketClause(name: PatternValue): Clause {
  const text = `($.requestParameters.bucketName = "${name.text}")`;
  return { text, maxLength: text.length - name.text.length + name.maxLength };
}

/** `head` + clauses joined with ` || ` + `tail`, split so that no pattern can exceed the maximum length. */
function chunked(head: string, clauses: readonly Clause[], tail: string): string[] {
  const separator = ' || ';
  const patterns: string[] = [];
  let current: Clause[] = [];
  let length = head.length + tail.length;
  for (const clause of clauses) {
    const added = (current.length ? separator.length : 0) + clause.maxLength;
    if (current.length && length + added > MAX_FILTER_PATTERN_LENGTH) {
      patterns.push(head + current.map((c) => c.text).join(separator) + tail);
      current = [];
      length = head.length + tail.length;
    }
    if (head.length + tail.length + clause.maxLength > MAX_FILTER_PATTERN_LENGTH) {
      throw new Error(`a single filter-pattern clause is too long: ${clause.text}`);
    }
    current.push(clause);
    length += (current.length > 1 ? separator.length : 0) + clause.maxLength;
  }
  if (current.length) patterns.push(head + current.map((c) => c.text).join(separator) + tail);
  return patterns;
}
