import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3EncryptionChecks } from '../../lib';
import { evaluateRules, fullRuleId, ruleContext } from '../../lib/guardrails/rule-evaluation';
import { TemplateIndex } from '../../lib/guardrails/template-index';
import { ENV } from './support';

/**
 * Every rule over what aws-cdk-lib 2.276 renders for plain `s3.Bucket`s (and the keys it creates
 * for them): templates we did not write. Each row is one bucket; each verdict is the rule's on the
 * bucket's own resources (bucket, its policy, its auto-created key): pass, FAIL or n/a.
 */
type Verdict = 'pass' | 'FAIL' | 'n/a';
const RULES = S3EncryptionChecks.RULE_IDS.map((id) => id.replace('S3Encryption-', ''));

interface Row {
  readonly name: string;
  readonly build: (stack: Stack) => s3.Bucket;
  readonly expected: Record<string, Verdict>;
}

const all = (verdict: Verdict, overrides: Record<string, Verdict>) =>
  Object.fromEntries(RULES.map((r) => [r, overrides[r] ?? verdict]));

const ROWS: Row[] = [
  {
    name: 'new s3.Bucket() (nothing set)',
    build: (s) => new s3.Bucket(s, 'B'),
    expected: all('FAIL', { S3BucketKeyEnabled: 'n/a', KmsKeyRotationEnabled: 'n/a', KmsKeyGrantsForAwsResourcesOnly: 'n/a', S3ReplicaKmsEncrypted: 'n/a', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'the best plain s3.Bucket: KMS + Bucket Keys + enforceSSL + TLS 1.2 + SSE-C blocked',
    build: (s) => new s3.Bucket(s, 'B', {
      encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true, enforceSSL: true, minimumTLSVersion: 1.2,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C], blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    }),
    // aws-cdk-lib renders no encryption-header policy, and its default key policy allows any grant (CT.KMS.PR.3).
    expected: all('pass', { S3BucketEncryptionHeaders: 'FAIL', KmsKeyGrantsForAwsResourcesOnly: 'FAIL', S3ReplicaKmsEncrypted: 'n/a', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'DSSE with the auto-created key, enforceSSL, TLS 1.3',
    build: (s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.DSSE, enforceSSL: true, minimumTLSVersion: 1.3 }),
    // aws-cdk-lib creates the DSSE key without rotation (it does for KMS).
    expected: all('FAIL', { S3BucketDefaultEncryption: 'pass', S3BucketKeyEnabled: 'n/a', S3BucketTlsOnly: 'pass', S3BucketMinimumTls: 'pass', S3ReplicaKmsEncrypted: 'n/a', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'SSE-S3 with enforceSSL',
    build: (s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true }),
    expected: all('FAIL', { S3BucketKeyEnabled: 'n/a', S3BucketTlsOnly: 'pass', KmsKeyRotationEnabled: 'n/a', KmsKeyGrantsForAwsResourcesOnly: 'n/a', S3ReplicaKmsEncrypted: 'n/a', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'aws/s3 (KMS_MANAGED) with Bucket Keys, enforceSSL and TLS 1.4 (locks everyone out)',
    build: (s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS_MANAGED, bucketKeyEnabled: true, enforceSSL: true, minimumTLSVersion: 1.4 }),
    expected: all('FAIL', { S3BucketDefaultEncryption: 'pass', S3BucketKeyEnabled: 'pass', S3BucketTlsOnly: 'pass', KmsKeyRotationEnabled: 'n/a', KmsKeyGrantsForAwsResourcesOnly: 'n/a', S3ReplicaKmsEncrypted: 'n/a', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'KMS source replicating with kmsKey + sseKmsEncryptedObjects into a KMS bucket',
    build: (s) => {
      const destination = new s3.Bucket(s, 'Destination', { versioned: true, encryption: s3.BucketEncryption.KMS });
      return new s3.Bucket(s, 'B', {
        versioned: true, encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true,
        replicationRules: [{ destination, kmsKey: destination.encryptionKey, sseKmsEncryptedObjects: true }],
      });
    },
    expected: all('FAIL', { S3BucketDefaultEncryption: 'pass', S3BucketKeyEnabled: 'pass', KmsKeyRotationEnabled: 'pass', S3ReplicaKmsEncrypted: 'pass', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'KMS source replicating without replica key (aws-cdk-lib does not check it)',
    build: (s) => {
      const destination = new s3.Bucket(s, 'Destination', { versioned: true });
      return new s3.Bucket(s, 'B', { versioned: true, encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true, replicationRules: [{ destination }] });
    },
    expected: all('FAIL', { S3BucketDefaultEncryption: 'pass', S3BucketKeyEnabled: 'pass', KmsKeyRotationEnabled: 'pass', S3LogTargetEncryption: 'n/a' }),
  },
  {
    name: 'DSSE log target of another bucket (aws-cdk-lib only rejects self-logging)',
    build: (s) => {
      const logs = new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.DSSE, encryptionKey: new kms.Key(s, 'LogKey', { enableKeyRotation: true }) });
      new s3.Bucket(s, 'Source', { serverAccessLogsBucket: logs });
      return logs;
    },
    expected: all('FAIL', { S3BucketDefaultEncryption: 'pass', S3BucketKeyEnabled: 'n/a', KmsKeyRotationEnabled: 'pass', S3ReplicaKmsEncrypted: 'n/a' }),
  },
];

/** The verdict of each rule on the bucket and the resources it owns (policy, auto key). */
function verdicts(bucket: s3.Bucket): Record<string, Verdict> {
  const owned = bucket.node.findAll().filter(CfnResource.isCfnResource);
  const key = bucket.encryptionKey?.node.defaultChild;
  if (key && CfnResource.isCfnResource(key) && !owned.includes(key)) owned.push(key);
  const context = ruleContext(new TemplateIndex(bucket.node.root), undefined);
  const out: Record<string, Verdict> = Object.fromEntries(RULES.map((r) => [r, 'n/a']));
  for (const resource of owned) {
    for (const { rule, problems } of evaluateRules(resource, context)) {
      if (problems === undefined) continue;
      if (problems.length > 0) out[rule.id] = 'FAIL';
      else if (out[rule.id] === 'n/a') out[rule.id] = 'pass';
    }
  }
  return out;
}

describe.each(ROWS)('plain aws-cdk-lib: $name', ({ build, expected }) => {
  const app = new App();
  const stack = new Stack(app, 'Plain', { env: ENV });
  const bucket = build(stack);

  test('every rule gives the expected verdict', () => {
    expect(verdicts(bucket)).toEqual(expected);
  });

  test('the rules read exactly what lands in the synthesized template', () => {
    const template = Template.fromStack(stack).toJSON();
    const index = new TemplateIndex(app);
    for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key']) {
      for (const resource of index.of(type)) {
        const entry = index.entry(resource);
        expect(entry.properties).toEqual(template.Resources[entry.logicalId].Properties ?? {});
      }
    }
  });

  test('the pack plugin reports the same failures', () => {
    const report = new S3EncryptionChecks(app).validateScope(app);
    const failed = new Set(report.violations.filter((v) => v.violatingResources.some((r) => r.constructPath!.startsWith(bucket.node.path + '/')
      || r.constructPath === bucket.encryptionKey?.node.defaultChild?.node.path)).map((v) => v.ruleName));
    const expectedFailures = Object.entries(expected).filter(([, v]) => v === 'FAIL').map(([rule]) => fullRuleId({ id: rule } as never));
    expect([...failed].sort()).toEqual(expectedFailures.sort());
  });
});
