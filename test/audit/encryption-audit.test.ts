import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BucketEncryptionMode, EncryptedBucket, EncryptionAudit, type EncryptionAuditProps, KmsKeyWithRotation } from '../../lib';
import { KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN } from '../../lib/private/audit-filter-patterns';
import { loadCloudTrailFixtures } from '../support/cloudtrail-fixtures';
import { JsonFilterPattern } from '../support/cwl-filter-pattern';
import { propErrorOf } from '../support/prop-error';

const ACCOUNT = '111122223333';
const ENV = { account: ACCOUNT, region: 'us-east-1' };
const PROTECTED_KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type Json = any;

function newStack(app = new App(), id = 'Audited', env = ENV): Stack {
  return new Stack(app, id, { env });
}

function resourcesOf(stack: Stack, type: string): Json[] {
  return Object.values<Json>(Template.fromStack(stack).toJSON().Resources).filter((r) => r.Type === type);
}


describe('the trail', () => {
  const app = new App();
  const stack = newStack(app);
  const data = new EncryptedBucket(stack, 'Data');
  const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.DSSE_KMS });
  new EncryptedBucket(stack, 'NotAudited');
  const audit = new EncryptionAudit(stack, 'Audit', { buckets: [data.bucket, reports.bucket] });
  const template = Template.fromStack(stack);
  const trail = resourcesOf(stack, 'AWS::CloudTrail::Trail');

  test('one multi-Region trail with log file validation, SSE-KMS under a rotating key, into an EncryptedBucket and an encrypted log group', () => {
    expect(trail).toHaveLength(1);
    const props = trail[0].Properties;
    expect(props).toMatchObject({ IsMultiRegionTrail: true, EnableLogFileValidation: true, IsLogging: true, IncludeGlobalServiceEvents: true });
    const keyId = stack.getLogicalId(audit.trailKey!.node.defaultChild as kms.CfnKey);
    expect(props.KMSKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(props.S3BucketName).toEqual({ Ref: stack.getLogicalId(audit.trailBucket!.bucket.node.defaultChild as s3.CfnBucket) });
    expect(audit.trailBucket!.encryptionKey).toBe(audit.trailKey);
    const logGroupId = stack.getLogicalId(audit.logGroup!.node.defaultChild as logs.CfnLogGroup);
    expect(props.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 });
  });

  test('advanced event selectors: every management event (KMS never excluded) and the named buckets\' objects, nothing else', () => {
    const props = trail[0].Properties;
    expect(props.EventSelectors).toBeUndefined();
    const selectors = template.toJSON().Resources[stack.getLogicalId(audit.trail!)].Properties.AdvancedEventSelectors;
    expect(selectors).toEqual([
      { Name: expect.any(String), FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      {
        Name: expect.any(String),
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          {
            Field: 'resources.ARN',
            StartsWith: [data, reports].map((b) => ({
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: stack.getLogicalId(b.bucket.node.defaultChild as s3.CfnBucket) }, '/']],
            })),
          },
        ],
      },
    ]);
    expect(JSON.stringify(selectors)).not.toMatch(/kms\.amazonaws\.com|NotEquals|NotStartsWith/);
  });

  test('the trail is created after its bucket policy and its CloudWatch Logs role (CloudTrail checks them on CreateTrail)', () => {
    const trailId = stack.getLogicalId(audit.trail!);
    const dependsOn: string[] = template.toJSON().Resources[trailId].DependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining([
      stack.getLogicalId(audit.trailBucket!.bucket.policy!.node.defaultChild as s3.CfnBucketPolicy),
    ]));
    expect(dependsOn.some((d) => d.startsWith('AuditTrailLogsPolicy'))).toBe(true);
  });

  test('CloudTrail may deliver to its own log streams of the log group only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' } }] },
    });
    const policy = resourcesOf(stack, 'AWS::IAM::ManagedPolicy').find((p) => JSON.stringify(p).includes('logs:PutLogEvents'));
    expect(resourcesOf(stack, 'AWS::IAM::Policy')).toEqual([]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Sid: expect.any(String),
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:${ACCOUNT}:log-group:aws-cloudtrail-logs-${audit.trail!.trailName}:log-stream:${ACCOUNT}_CloudTrail_us-east-1*`]] },
    }]);
  });
});

describe('default discovery', () => {
  test('every EncryptedBucket of the app except the trail\'s own (its data events would feed themselves)', () => {
    const app = new App();
    const stack = newStack(app);
    const a = new EncryptedBucket(stack, 'A');
    const other = newStack(app, 'SameEnvironment');
    const b = new EncryptedBucket(other, 'B');
    const audit = new EncryptionAudit(stack, 'Audit');
    expect(audit.buckets).toEqual([a.bucket, b.bucket]);
    const arns = JSON.stringify(resourcesOf(stack, 'AWS::CloudTrail::Trail')[0].Properties.AdvancedEventSelectors[1]);
    expect(arns).not.toContain(stack.getLogicalId(audit.trailBucket!.bucket.node.defaultChild as s3.CfnBucket));
  });

  test('an EncryptedBucket added after the audit is a synth error, not a silent gap', () => {
    const app = new App();
    const stack = newStack(app);
    new EncryptedBucket(stack, 'Early');
    new EncryptionAudit(stack, 'Audit');
    new EncryptedBucket(stack, 'Late');
    expect(() => app.synth()).toThrow(/Audited\/Audit: prop 'buckets': the EncryptedBucket Audited\/Late was added to the app after the audit.*Fix: create the EncryptionAudit after every EncryptedBucket/);
  });

  test('a key, or a Region with keys, added after the audit is a synth error too', () => {
    const app = new App();
    const stack = newStack(app);
    new EncryptionAudit(stack, 'Audit', { buckets: [] });
    new KmsKeyWithRotation(stack, 'LateKey');
    new KmsKeyWithRotation(newStack(app, 'Tokyo', { account: ACCOUNT, region: 'ap-northeast-1' }), 'Key');
    expect(() => app.synth()).toThrow(/prop 'kmsKeys': the key Audited\/LateKey was added to the app after the audit[\s\S]*prop 'kmsRequestRateAlarms': the app has KMS keys in ap-northeast-1, added after the audit/);
  });

  test('the keys of the alarm topics the audit creates in other Regions are not taken for late keys', () => {
    const app = new App();
    const stack = newStack(app);
    new KmsKeyWithRotation(newStack(app, 'Ireland', { account: ACCOUNT, region: 'eu-west-1' }), 'Key');
    new EncryptionAudit(stack, 'Audit', { buckets: [] });
    expect(() => app.synth()).not.toThrow();
  });

  test('with buckets and kmsKeys passed explicitly, buckets and keys may come later', () => {
    const app = new App();
    const stack = newStack(app);
    new EncryptionAudit(stack, 'Audit', { buckets: [], kmsKeys: [] });
    new KmsKeyWithRotation(stack, 'LateKey');
    new EncryptedBucket(stack, 'LateBucket');
    expect(() => app.synth()).not.toThrow();
  });

  test('a bucket in another Region with a generated name cannot be named from the audit\'s stack: synth error naming it', () => {
    const app = new App();
    const stack = newStack(app);
    new EncryptedBucket(newStack(app, 'Replica', { account: ACCOUNT, region: 'eu-west-1' }), 'Unnamed');
    const error = propErrorOf(() => new EncryptionAudit(stack, 'Audit'));
    expect(error.prop).toBe('buckets');
    expect(error.message).toMatch(/Replica\/Unnamed\/Bucket.*Fix: give it a bucketName, or pass buckets/);
  });

  test('keys of other Regions are matched by account and Region (their ids are only known there); keys of the audit\'s stack by id', () => {
    const app = new App();
    const stack = newStack(app);
    const local = new KmsKeyWithRotation(stack, 'Local');
    new KmsKeyWithRotation(newStack(app, 'Replica', { account: ACCOUNT, region: 'eu-west-1' }), 'Remote');
    new EncryptionAudit(stack, 'Audit', { buckets: [] });
    const filter = resourcesOf(stack, 'AWS::Logs::MetricFilter').map((f) => JSON.stringify(f.Properties.FilterPattern)).find((p) => p.includes('AccessDenied*'))!;
    expect(filter).toContain(`{"Ref":"${stack.getLogicalId(local.node.defaultChild as kms.CfnKey)}"}`);
    expect(filter).toContain(`:kms:eu-west-1:${ACCOUNT}:key/*`);
  });
});

describe('metric filters in the template, evaluated against the CloudTrail fixtures', () => {
  const fixtures = [...loadCloudTrailFixtures().values()];
  const stack = newStack();
  const bucket = s3.Bucket.fromBucketName(stack, 'Protected', 'amzn-s3-demo-bucket1');
  const key = kms.Key.fromKeyArn(stack, 'ProtectedKey', PROTECTED_KEY_ARN);
  new EncryptionAudit(stack, 'Audit', { buckets: [bucket], kmsKeys: [key] });
  const filters = resourcesOf(stack, 'AWS::Logs::MetricFilter');
  const alarms = resourcesOf(stack, 'AWS::CloudWatch::Alarm').filter((a) => a.Properties.MetricName);

  /** Fixtures counted by the metric that alarm `id` watches (all its filters). */
  const countedBy = (metricSuffix: string) => {
    const patterns = filters.filter((f) => f.Properties.MetricTransformations[0].MetricName.endsWith(`-${metricSuffix}`))
      .map((f) => new JsonFilterPattern(f.Properties.FilterPattern));
    expect(patterns.length).toBeGreaterThan(0);
    return fixtures.filter((f) => patterns.some((p) => p.matches(f.record as never))).map((f) => f.name).sort();
  };

  test.each([
    ['KmsKeyDisabledOrScheduledForDeletion', ['kms-disable-key', 'kms-schedule-key-deletion']],
    ['KmsAccessDenied', ['kms-generate-data-key-access-denied']],
    ['KmsThrottling', ['kms-decrypt-throttled']],
    ['S3EncryptionPolicyDenials', ['s3-put-object-denied-other-algorithm', 's3-put-object-denied-other-kms-key', 's3-put-object-denied-sse-c']],
    ['BucketPolicyOrEncryptionChanges', ['s3-delete-bucket-encryption', 's3-put-bucket-encryption', 's3-put-bucket-policy']],
  ])('%s counts exactly %p', (metric, expected) => {
    expect(countedBy(metric)).toEqual(expected);
  });

  test('the CIS / Security Hub CloudWatch.7 filter is rendered verbatim ("Additional fields or terms cannot be added")', () => {
    expect(filters.map((f) => f.Properties.FilterPattern)).toContain(KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN);
  });

  test('every filter emits 1 per match into LogMetrics, and each metric has one alarm at >= 1 that notifies the topic', () => {
    for (const f of filters) expect(f.Properties.MetricTransformations).toEqual([{ MetricNamespace: 'LogMetrics', MetricName: expect.any(String), MetricValue: '1' }]);
    const metrics = new Set(filters.map((f) => f.Properties.MetricTransformations[0].MetricName));
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([...metrics].sort());
    for (const a of alarms) {
      expect(a.Properties).toMatchObject({
        Namespace: 'LogMetrics', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: expect.stringMatching(/^AuditAlarmTopic/) }],
      });
      expect(a.Properties.AlarmDescription).toMatch(/Runbook: /);
    }
  });
});

describe('alarm notifications', () => {
  test('the default topic is KMS-encrypted under a rotating key CloudWatch may use, and SSL-only', () => {
    const stack = newStack();
    const audit = new EncryptionAudit(stack, 'Audit', { buckets: [] });
    const template = Template.fromStack(stack);
    const topic = resourcesOf(stack, 'AWS::SNS::Topic');
    expect(topic).toHaveLength(1);
    const keyRef = topic[0].Properties.KmsMasterKeyId;
    const key = template.toJSON().Resources[keyRef['Fn::GetAtt'][0]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    }));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(audit.alarmTopic).toBeDefined();
  });

  test('a topic the user passes is used by every alarm of the stack, and no topic is created', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:us-east-1:${ACCOUNT}:ops`);
    new EncryptionAudit(stack, 'Audit', { buckets: [], alarmTopic: topic });
    expect(resourcesOf(stack, 'AWS::SNS::Topic')).toHaveLength(0);
    const actions = resourcesOf(stack, 'AWS::CloudWatch::Alarm').map((a) => a.Properties.AlarmActions);
    expect(actions.length).toBeGreaterThan(1);
    for (const a of actions) expect(a).toEqual([`arn:aws:sns:us-east-1:${ACCOUNT}:ops`]);
  });
});

describe('KMS capacity alarms', () => {
  /**
   * Expression and dimensions as AWS documents them: CloudWatch "Visualizing your service quotas and
   * setting alarms" (m1/SERVICE_QUOTA(m1)*100, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Quotas-Visualize-Alarms.html)
   * and "CloudWatch usage metrics" (AWS/Usage CallCount, dimensions Service/Type/Resource/Class, statistic
   * SUM over 1 minute, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Usage-Metrics.html).
   * The KMS dimension values are not in AWS's documentation (see lib/private/kms-usage-metric.ts), and
   * the per-minute Sum is divided by PERIOD() because KMS's quota is per second ("Request quotas",
   * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
   */
  test('expression, metric, dimensions, statistic, period, threshold', () => {
    const stack = newStack();
    new EncryptionAudit(stack, 'Audit', { buckets: [] });
    const quota = resourcesOf(stack, 'AWS::CloudWatch::Alarm').filter((a) => a.Properties.Metrics);
    expect(quota).toHaveLength(1);
    expect(quota[0].Properties).toMatchObject({
      Threshold: 80, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AuditAlarmTopic/) }],
    });
    expect(quota[0].Properties.Metrics).toEqual([
      { Id: expect.any(String), Expression: '100 * (usage / PERIOD(usage)) / SERVICE_QUOTA(usage)', Label: expect.any(String), ReturnData: true },
      {
        Id: 'usage',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Usage',
            MetricName: 'CallCount',
            Dimensions: [
              { Name: 'Class', Value: 'None' },
              { Name: 'Resource', Value: 'CryptographicOperationsSymmetric' },
              { Name: 'Service', Value: 'KMS' },
              { Name: 'Type', Value: 'API' },
            ],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
    ]);
  });

  test('the threshold is configurable', () => {
    const stack = newStack();
    new EncryptionAudit(stack, 'Audit', { buckets: [], kmsRequestRateThresholdPercent: 65 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 65, Metrics: Match.anyValue() });
  });

  test('one alarm per Region where the app has KMS keys, each in a stack of that Region with a topic there', () => {
    const app = new App();
    const audited = newStack(app);
    const ireland = newStack(app, 'Ireland', { account: ACCOUNT, region: 'eu-west-1' });
    new KmsKeyWithRotation(ireland, 'Key');
    new KmsKeyWithRotation(newStack(app, 'Ireland2', { account: ACCOUNT, region: 'eu-west-1' }), 'Key');
    new kms.CfnReplicaKey(newStack(app, 'Tokyo', { account: ACCOUNT, region: 'ap-northeast-1' }), 'Replica', { keyPolicy: {}, primaryKeyArn: PROTECTED_KEY_ARN });
    const keyless = newStack(app, 'Sydney', { account: ACCOUNT, region: 'ap-southeast-2' });
    new s3.Bucket(keyless, 'Plain', { bucketName: 'plain-sydney-bucket' });
    const audit = new EncryptionAudit(audited, 'Audit', { buckets: [] });
    expect(audit.kmsRequestRateAlarms.map((a) => Stack.of(a).region)).toEqual(['us-east-1', 'eu-west-1', 'ap-northeast-1']);
    expect(audit.kmsRequestRateAlarms.map((a) => Stack.of(a).stackName)).toEqual(['Audited', 'Ireland', 'Tokyo']);
    for (const stack of [ireland, app.node.findChild('Tokyo') as Stack]) {
      const quota = resourcesOf(stack, 'AWS::CloudWatch::Alarm');
      expect(quota).toHaveLength(1);
      const topicRef = quota[0].Properties.AlarmActions[0].Ref;
      expect(Template.fromStack(stack).toJSON().Resources[topicRef].Properties.KmsMasterKeyId).toBeDefined();
    }
    expect(resourcesOf(keyless, 'AWS::CloudWatch::Alarm')).toHaveLength(0);
  });
});

describe('an existing trail (e.g. an organization trail)', () => {
  test('the metric filters and alarms attach to its log group; no trail, bucket or log group is created', () => {
    const stack = newStack();
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'OrgTrailLogs', 'aws-cloudtrail-logs-org');
    const audit = new EncryptionAudit(stack, 'Audit', {
      existingTrailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, existingTrailLogGroup: logGroup, buckets: [],
    });
    expect(resourcesOf(stack, 'AWS::CloudTrail::Trail')).toHaveLength(0);
    expect(resourcesOf(stack, 'AWS::Logs::LogGroup')).toHaveLength(0);
    expect(audit.trailBucket).toBeUndefined();
    const filters = resourcesOf(stack, 'AWS::Logs::MetricFilter');
    expect(filters.length).toBeGreaterThan(0);
    for (const f of filters) expect(f.Properties.LogGroupName).toBe('aws-cloudtrail-logs-org');
    expect(audit.trailArn).toBe(`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`);
  });
});

test('without CloudWatch Logs delivery there are no metric filters, and the KMS capacity alarm stays', () => {
  const stack = newStack();
  new EncryptionAudit(stack, 'Audit', { buckets: [], sendToCloudWatchLogs: false });
  expect(resourcesOf(stack, 'AWS::CloudTrail::Trail')[0].Properties.CloudWatchLogsLogGroupArn).toBeUndefined();
  expect(resourcesOf(stack, 'AWS::Logs::MetricFilter')).toHaveLength(0);
  expect(resourcesOf(stack, 'AWS::CloudWatch::Alarm')).toHaveLength(1);
});

describe('bad input: a synth error naming the construct, the prop and the fix', () => {
  const audit = (props: EncryptionAuditProps, setup?: (stack: Stack) => void) => () => {
    const app = new App();
    const stack = newStack(app);
    newStack(app, 'Ireland', { account: ACCOUNT, region: 'eu-west-1' });
    setup?.(stack);
    return new EncryptionAudit(stack, 'Audit', props);
  };

  test('a bucket outside the app\'s Regions', () => {
    const error = propErrorOf(() => {
      const app = new App();
      const stack = newStack(app);
      const frankfurt = s3.Bucket.fromBucketAttributes(stack, 'Frankfurt', { bucketName: 'frankfurt-data', region: 'eu-central-1' });
      new EncryptionAudit(stack, 'Audit', { buckets: [frankfurt] });
    });
    expect(error.prop).toBe('buckets');
    expect(error.message).toMatch(/^Audited\/Audit: prop 'buckets': bucket Audited\/Frankfurt is in eu-central-1, which is not one of the app's Regions \(us-east-1\).* Fix: /);
  });

  test('a bucket of another Region with a single-Region trail', () => {
    const error = propErrorOf(() => {
      const app = new App();
      const stack = newStack(app);
      const ireland = newStack(app, 'Ireland', { account: ACCOUNT, region: 'eu-west-1' });
      const b = new EncryptedBucket(ireland, 'Data', { bucketName: 'ireland-data' });
      new EncryptionAudit(stack, 'Audit', { buckets: [b.bucket], multiRegion: false });
    });
    expect(error.prop).toBe('buckets');
    expect(error.message).toMatch(/single-Region \(multiRegion: false\) and records only us-east-1\. Fix: remove multiRegion: false/);
  });

  test.each([[0], [100.5], [-5], [Number.NaN]])('threshold %p outside 1-100', (threshold) => {
    const error = propErrorOf(audit({ buckets: [], kmsRequestRateThresholdPercent: threshold }));
    expect(error.prop).toBe('kmsRequestRateThresholdPercent');
    expect(error.message).toMatch(/between 1 and 100\. Fix: pass a number from 1 to 100/);
  });

  test.each([[1], [100]])('threshold %p is accepted', (threshold) => {
    expect(audit({ buckets: [], kmsRequestRateThresholdPercent: threshold })).not.toThrow();
  });

  test('an imported trail without a log group', () => {
    const error = propErrorOf(audit({ existingTrailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` }));
    expect(error.prop).toBe('existingTrailLogGroup');
    expect(error.message).toMatch(/nothing to attach to\. Fix: pass existingTrailLogGroup/);
  });

  test('trail settings with an existing trail', () => {
    const error = propErrorOf(audit({ existingTrailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' }, () => undefined));
    expect(error.message).toMatch(/existingTrailLogGroup/);
    const both = propErrorOf(() => {
      const stack = newStack();
      new EncryptionAudit(stack, 'Audit', {
        existingTrailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
        existingTrailLogGroup: logs.LogGroup.fromLogGroupName(stack, 'L', 'l'),
        multiRegion: false,
      });
    });
    expect(both.prop).toBe('multiRegion');
  });

  test('the trail bucket cannot take another key or algorithm', () => {
    expect(propErrorOf(audit({ buckets: [], trailBucketProps: { encryption: BucketEncryptionMode.SSE_S3 } })).prop).toBe('trailBucketProps');
    expect(propErrorOf(audit({ buckets: [], trailBucketProps: { encryptionKeyProps: { alias: 'x' } } })).message).toMatch(/trailBucketProps\.encryptionKeyProps/);
  });

  test('more metric filters than a log group takes (100)', () => {
    const error = propErrorOf(() => {
      const stack = newStack();
      const buckets = Array.from({ length: 400 }, (_, i) => s3.Bucket.fromBucketName(stack, `B${i}`, `bucket-${String(i).padStart(3, '0')}-${'x'.repeat(50)}`));
      new EncryptionAudit(stack, 'Audit', { buckets, kmsKeys: [] });
    });
    expect(error.prop).toBe('buckets');
    expect(error.message).toMatch(/400 buckets and 0 keys need \d+ metric filters .* a log group takes 100/);
  });

  test('an invalid trail name', () => {
    expect(propErrorOf(audit({ buckets: [], trailName: 'no spaces allowed' })).prop).toBe('trailName');
  });
});
