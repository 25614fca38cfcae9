import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { COMPLIANCE_PACK_NAMES } from '../bin/compliance-packs';
import { EncryptionGuardrails, S3EncryptionChecks } from '../lib';
import { buildGoldenPathApp } from '../bin/golden-path-app';
import { CONTROL_TOWER, CONTROL_TOWER_AUDIT_RULES, controlTowerValidator, reportedViolations } from './guardrails/support';

/**
 * The golden-path app (what `npx cdk synth` builds) runs the five cdk-nag packs and has no
 * unacknowledged finding. The second test proves the packs really run over the whole app: one
 * non-compliant bucket added to it makes every pack report, and the synth fail.
 */
const CONTEXT = {
  'golden-path:account': '111111111111',
  'golden-path:primary-region': 'us-east-1',
  'golden-path:replica-region': 'eu-west-1',
};

function newApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-path-'));
  return { app: new App({ outdir, context: CONTEXT }), outdir };
}

test('synthesizes with zero unacknowledged findings across the five packs', () => {
  const { app, outdir } = newApp();
  buildGoldenPathApp(app);
  expect(() => app.synth()).not.toThrow();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.filter((r: any) => r.conclusion !== 'success')).toEqual([]);
});

test('the five packs run over the whole app: a bare bucket fails every one of them', () => {
  const { app, outdir } = newApp();
  buildGoldenPathApp(app);
  const extra = new Stack(app, 'Extra', { env: { account: '111111111111', region: 'us-east-1' } });
  new s3.Bucket(extra, 'Bare');
  expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  const failedPacks = report.pluginReports.filter((r: any) => r.conclusion === 'failure').map((r: any) => r.pluginName);
  expect(failedPacks.sort()).toEqual([...COMPLIANCE_PACK_NAMES, S3EncryptionChecks.PACK_NAME, EncryptionGuardrails.PLUGIN_NAME].sort());
  const offenders = new Set(report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
    v.violatingConstructs.map((c: any) => c.constructPath))));
  expect([...offenders]).toEqual(['Extra/Bare/Resource']);
});

describe('the encryption audit in the golden path', () => {
  const { app } = newApp();
  const { primary, replica, audit: built } = buildGoldenPathApp(app);
  const audit = built!;
  const resources = (stack: Stack, type: string) => Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter((r) => r.Type === type);

  test('the primary template has the trail, its metric filters and their alarms, and the KMS request-rate alarm', () => {
    const [trail] = resources(primary, 'AWS::CloudTrail::Trail');
    expect(trail.Properties).toMatchObject({ TrailName: 'golden-path-encryption-audit', IsMultiRegionTrail: true, EnableLogFileValidation: true });
    const filters = resources(primary, 'AWS::Logs::MetricFilter').map((f) => f.Properties.MetricTransformations[0].MetricName.replace(/^.*-/, ''));
    expect([...new Set(filters)].sort()).toEqual([
      'BucketPolicyOrEncryptionChanges', 'KmsAccessDenied', 'KmsKeyDisabledOrScheduledForDeletion', 'KmsThrottling', 'S3EncryptionPolicyDenials',
    ]);
    const alarms = resources(primary, 'AWS::CloudWatch::Alarm');
    expect(alarms.filter((a) => a.Properties.Namespace === 'LogMetrics')).toHaveLength(5);
    expect(alarms.filter((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('SERVICE_QUOTA(usage)'))).toHaveLength(1);
    expect(audit.alarms).toHaveLength(5);
  });

  test('the replica Region (where the replica key lives) has its own KMS request-rate alarm, in the replica stack', () => {
    const alarms = resources(replica, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(1);
    expect(JSON.stringify(alarms[0].Properties.Metrics)).toContain('SERVICE_QUOTA(usage)');
    expect(audit.kmsRequestRateAlarms.map((a) => Stack.of(a).stackName)).toEqual(['GoldenPathPrimary', 'GoldenPathReplica']);
  });

  test('the trail records the data, replica and site buckets\' objects', () => {
    const [trail] = resources(primary, 'AWS::CloudTrail::Trail');
    const startsWith = JSON.stringify(trail.Properties.AdvancedEventSelectors[1].FieldSelectors[2].StartsWith);
    expect(startsWith).toContain(primary.getLogicalId(primary.data.bucket.node.defaultChild as s3.CfnBucket));
    expect(startsWith).toContain(primary.getLogicalId(primary.site.bucket.node.defaultChild as s3.CfnBucket));
    expect(startsWith).toContain(':s3:::golden-path-data-replica-111111111111-eu-west-1/');
    expect(trail.Properties.AdvancedEventSelectors[1].FieldSelectors[2].StartsWith).toHaveLength(3);
  });
});

describe('Control Tower proactive controls (cfn-guard, offline, every service folder it ships)', () => {
  const AUDIT_SERVICES = ['s3', 'keymanagementservice', 'cloudtrail', 'cloudwatch'];
  const ALL_SERVICES = fs.readdirSync(path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard'));

  test('the whole golden path has zero unacknowledged Control Tower findings', () => {
    const { app, outdir } = newApp();
    buildGoldenPathApp(app);
    Validations.of(app).addPlugins(controlTowerValidator(ALL_SERVICES));
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(outdir).filter((v) => v.plugin === CONTROL_TOWER)).toEqual([]);
    expect(ALL_SERVICES).toEqual(expect.arrayContaining([...AUDIT_SERVICES, 'cloudfront']));
  });

  test('the CloudTrail and CloudWatch controls do run: a trail without log file validation and an alarm without actions are reported', () => {
    const { app, outdir } = newApp();
    buildGoldenPathApp(app);
    const extra = new Stack(app, 'Extra', { env: { account: '111111111111', region: 'us-east-1' } });
    new cloudtrail.CfnTrail(extra, 'Unvalidated', { isLogging: true, s3BucketName: 'some-bucket', enableLogFileValidation: false });
    new cloudwatch.CfnAlarm(extra, 'Silent', { comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 1, metricName: 'm', namespace: 'n', period: 60, statistic: 'Sum' });
    Validations.of(app).addPlugins(controlTowerValidator(AUDIT_SERVICES));
    expect(() => app.synth()).toThrow();
    const reported = reportedViolations(outdir).filter((v) => v.plugin === CONTROL_TOWER && v.paths.some((p) => p.startsWith('Extra/')));
    expect(reported.map((v) => v.rule)).toEqual(expect.arrayContaining([
      CONTROL_TOWER_AUDIT_RULES['CT.CLOUDTRAIL.PR.2'], CONTROL_TOWER_AUDIT_RULES['CT.CLOUDWATCH.PR.1'],
    ]));
  });
});
