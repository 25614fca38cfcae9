import { CfnCondition, Fn } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket } from '../../../lib';
import { S3BucketDefaultEncryption } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

const RULE_ID = 'S3Encryption-S3BucketDefaultEncryption';

describe('S3BucketDefaultEncryption', () => {
  test.each([
    ['SSE-KMS with a CMK', { encryption: s3.BucketEncryption.KMS }],
    ['SSE-KMS with aws/s3', { encryption: s3.BucketEncryption.KMS_MANAGED }],
    ['DSSE-KMS with a CMK (cdk-nag S3DefaultEncryptionKMS rejects it)', { encryption: s3.BucketEncryption.DSSE }],
    ['DSSE-KMS with aws/s3', { encryption: s3.BucketEncryption.DSSE_MANAGED }],
  ])('passes a plain s3.Bucket with %s', (_name, props) => {
    const stack = newStack();
    expect(check(S3BucketDefaultEncryption, new s3.Bucket(stack, 'B', props))).toEqual([]);
  });

  test('passes EncryptedBucket in both KMS modes', () => {
    const stack = newStack();
    expect(check(S3BucketDefaultEncryption, new EncryptedBucket(stack, 'Kms').bucket)).toEqual([]);
    expect(check(S3BucketDefaultEncryption, new EncryptedBucket(stack, 'Dsse', { encryption: BucketEncryptionMode.DSSE_KMS }).bucket)).toEqual([]);
  });

  test('fails a bucket without default encryption', () => {
    const problems = check(S3BucketDefaultEncryption, new s3.Bucket(newStack(), 'B'));
    expect(problems).toEqual([expect.stringMatching(/no default encryption is configured/)]);
  });

  test('fails SSE-S3', () => {
    const problems = check(S3BucketDefaultEncryption, new s3.Bucket(newStack(), 'B', { encryption: s3.BucketEncryption.S3_MANAGED }));
    expect(problems).toEqual([expect.stringMatching(/default encryption is AES256; SSE-KMS or DSSE-KMS is required/)]);
  });

  test('fails a rule that only blocks SSE-C (no default algorithm)', () => {
    const bucket = new s3.Bucket(newStack(), 'B', { blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] });
    expect(check(S3BucketDefaultEncryption, bucket)).toEqual([expect.stringMatching(/no default encryption/)]);
  });

  test('fails an unknown algorithm and one decided by a condition', () => {
    const stack = newStack();
    const unknown = new s3.CfnBucket(stack, 'Unknown', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms:pqc' } }] },
    });
    const condition = new CfnCondition(stack, 'Prod', { expression: Fn.conditionEquals('a', 'b') });
    const conditional = new s3.CfnBucket(stack, 'Conditional', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: Fn.conditionIf(condition.logicalId, 'aws:kms', 'AES256').toString() } }] },
    });
    expect(check(S3BucketDefaultEncryption, unknown)).toEqual([expect.stringMatching(/unknown SSEAlgorithm 'aws:kms:pqc'/)]);
    expect(check(S3BucketDefaultEncryption, conditional)).toEqual([expect.stringMatching(/cannot be read at synth/)]);
  });

  test('reads the rendered template: a property override that sets KMS passes', () => {
    const bucket = new s3.CfnBucket(newStack(), 'B');
    bucket.addPropertyOverride('BucketEncryption.ServerSideEncryptionConfiguration', [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }]);
    expect(check(S3BucketDefaultEncryption, bucket)).toEqual([]);
  });

  test('the minimum is configurable: SSE_S3 accepts SSE-S3 (still not nothing), DSSE_KMS rejects SSE-KMS', () => {
    const stack = newStack();
    const sseS3 = new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });
    const none = new s3.Bucket(stack, 'None');
    const sseKms = new s3.Bucket(stack, 'SseKms', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'K') });
    const dsse = new s3.Bucket(stack, 'Dsse', { encryption: s3.BucketEncryption.DSSE_MANAGED });
    expect(check(S3BucketDefaultEncryption, sseS3, BucketEncryptionMode.SSE_S3)).toEqual([]);
    expect(check(S3BucketDefaultEncryption, none, BucketEncryptionMode.SSE_S3)).toEqual([expect.stringMatching(/SSE-S3 or stronger is required/)]);
    expect(check(S3BucketDefaultEncryption, sseKms, BucketEncryptionMode.DSSE_KMS)).toEqual([expect.stringMatching(/aws:kms; DSSE-KMS is required/)]);
    expect(check(S3BucketDefaultEncryption, dsse, BucketEncryptionMode.DSSE_KMS)).toEqual([]);
  });

  test('under a DSSE-KMS minimum, a log bucket may be SSE-KMS (log delivery cannot write DSSE-KMS); other buckets may not', () => {
    const stack = newStack();
    const logs = new EncryptedBucket(stack, 'Logs');
    const other = new EncryptedBucket(stack, 'Other');
    new EncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.DSSE_KMS, serverAccessLogsBucket: logs.bucket });
    expect(check(S3BucketDefaultEncryption, logs.bucket, BucketEncryptionMode.DSSE_KMS)).toEqual([]);
    expect(check(S3BucketDefaultEncryption, other.bucket, BucketEncryptionMode.DSSE_KMS)).toEqual([expect.stringMatching(/DSSE-KMS is required/)]);
  });

  test('the pack reports it under its full id, for every offending bucket', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bare');
    new s3.Bucket(stack, 'Dsse', { encryption: s3.BucketEncryption.DSSE });
    expect(packViolations(stack)[RULE_ID]).toEqual(['Test/Bare/Resource']);
  });
});
