import { CfnCondition, Fn } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket } from '../../../lib';
import { evaluateRules, ruleContext } from '../../../lib/guardrails/rule-evaluation';
import { S3BucketDefaultEncryption } from '../../../lib/guardrails/rules';
import { TemplateIndex } from '../../../lib/guardrails/template-index';
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

  describe('log destinations AWS documents as SSE-S3 only: an exception by design, never a demand for KMS', () => {
    /** A bucket receiving server access logs (EncryptedBucket source), ALB logs and VPC Flow Logs, each with the given encryption. */
    function destinations(encryption?: s3.BucketEncryption) {
      const stack = newStack();
      // EncryptedBucket refuses a KMS log bucket, and aws-cdk-lib refuses ALB logs into a bucket with a KMS key.
      const accessLogs = new s3.Bucket(stack, 'AccessLogs', { encryption: encryption === s3.BucketEncryption.KMS ? undefined : encryption });
      new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: accessLogs });
      const albLogs = new s3.Bucket(stack, 'AlbLogs', { encryption: encryption === s3.BucketEncryption.KMS ? undefined : encryption });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).logAccessLogs(albLogs);
      const flowLogs = new s3.Bucket(stack, 'FlowLogs', { encryption });
      new ec2.FlowLog(stack, 'Flow', { resourceType: ec2.FlowLogResourceType.fromVpc(vpc), destination: ec2.FlowLogDestination.toS3(flowLogs) });
      const plain = new s3.Bucket(stack, 'Plain', { encryption });
      return { stack, accessLogs, albLogs, flowLogs, plain };
    }
    const findingOf = (bucket: s3.Bucket, minimum: BucketEncryptionMode) => {
      const context = ruleContext(new TemplateIndex(bucket.node.root), minimum);
      return evaluateRules(bucket.node.defaultChild as s3.CfnBucket, context).find((f) => f.rule === S3BucketDefaultEncryption)!;
    };

    test.each([BucketEncryptionMode.SSE_KMS, BucketEncryptionMode.DSSE_KMS])('SSE-S3 server access log and ALB log buckets pass under %s, with the reason', (minimum) => {
      const { accessLogs, albLogs } = destinations(s3.BucketEncryption.S3_MANAGED);
      expect(findingOf(accessLogs, minimum)).toMatchObject({
        problems: [],
        exception: expect.stringMatching(new RegExp(`^SSE-S3 instead of ${minimum.name}: the bucket receives S3 server access logging \\(from Test/Data/Bucket, .*must use SSE-S3.*enable-server-access-logging.html`)),
      });
      expect(findingOf(albLogs, minimum)).toMatchObject({
        problems: [],
        exception: expect.stringMatching(/receives Elastic Load Balancing access logs .*\(from Test\/Alb, .*Elastic Load Balancing account 127311923021.*only server-side encryption option that is supported is SSE-S3.*enable-access-logging.html/),
      });
    });

    test('no exception is needed (or reported) under an SSE_S3 minimum', () => {
      const { accessLogs } = destinations(s3.BucketEncryption.S3_MANAGED);
      expect(findingOf(accessLogs, BucketEncryptionMode.SSE_S3)).toEqual({ rule: S3BucketDefaultEncryption, problems: [] });
    });

    test('without an explicit default encryption the fix named is SSE-S3, not KMS', () => {
      const { accessLogs, albLogs } = destinations();
      expect(check(S3BucketDefaultEncryption, accessLogs)).toEqual([expect.stringMatching(/receives S3 server access logging, which support only SSE-S3 .*: set SSEAlgorithm AES256/)]);
      expect(check(S3BucketDefaultEncryption, albLogs)).toEqual([expect.stringMatching(/Elastic Load Balancing access logs .*set SSEAlgorithm AES256/)]);
    });

    test('VPC Flow Logs can write SSE-KMS: their SSE-S3 bucket still fails the KMS minimum; under DSSE_KMS an SSE-KMS one passes (DSSE is not documented)', () => {
      expect(check(S3BucketDefaultEncryption, destinations(s3.BucketEncryption.S3_MANAGED).flowLogs)).toEqual([expect.stringMatching(/AES256; SSE-KMS or DSSE-KMS is required/)]);
      const { flowLogs, plain } = destinations(s3.BucketEncryption.KMS);
      expect(check(S3BucketDefaultEncryption, flowLogs, BucketEncryptionMode.DSSE_KMS)).toEqual([]);
      expect(check(S3BucketDefaultEncryption, plain, BucketEncryptionMode.DSSE_KMS)).toEqual([expect.stringMatching(/DSSE-KMS is required/)]);
    });

    test('a bucket with no such integration gets no exception: SSE-S3 still fails', () => {
      const { plain } = destinations(s3.BucketEncryption.S3_MANAGED);
      expect(findingOf(plain, BucketEncryptionMode.SSE_KMS)).toEqual({ rule: S3BucketDefaultEncryption, problems: [expect.stringMatching(/AES256; SSE-KMS or DSSE-KMS is required/)] });
    });

    test('a bucket read through a CloudFront origin access identity is told why KMS would break it', () => {
      const stack = newStack();
      const site = new s3.Bucket(stack, 'Site');
      new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessIdentity(site) } });
      expect(check(S3BucketDefaultEncryption, site)).toEqual([expect.stringMatching(/Note: the bucket is read through a CloudFront origin access identity .*OAI does not support SSE-KMS/)]);
    });
  });

  test('the pack reports it under its full id, for every offending bucket', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bare');
    new s3.Bucket(stack, 'Dsse', { encryption: s3.BucketEncryption.DSSE });
    expect(packViolations(stack)[RULE_ID]).toEqual(['Test/Bare/Resource']);
  });
});
