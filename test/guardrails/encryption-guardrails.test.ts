import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AspectPriority, Aspects, type IAspect, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type SynthesisMessage, SynthesisMessageLevel } from 'aws-cdk-lib/cx-api';
import { type IConstruct } from 'constructs';
import { EncryptedBucket, EncryptedBucketProfile, EncryptionGuardrails, GuardrailMode } from '../../lib';
import { ConstructPropError } from '../../lib/private/construct-prop-error';
import { denyInsecureTransportStatement, denyOutdatedTlsStatement } from '../../lib/private/encrypted-bucket-policy-statements';
import { ENV, guardrailFindings, newAppWithOutdir } from './support';

function guarded() {
  const { app, outdir } = newAppWithOutdir();
  return { app, outdir, stack: new Stack(app, 'Guarded', { env: ENV }) };
}

/** The findings of one rule, as `<path> <severity>`. */
const findingsOf = (outdir: string, rule: string) => guardrailFindings(outdir)
  .filter((f) => f.startsWith(`S3Encryption-${rule} `)).map((f) => f.split(':')[0].split(' ').slice(1).join(' '));

describe('GuardrailMode.REPORT', () => {
  test('findings are acknowledgeable warnings in the validation report; nothing is changed and synth succeeds', () => {
    const { app, outdir, stack } = guarded();
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    EncryptionGuardrails.of(app, { mode: GuardrailMode.REPORT });
    expect(() => app.synth()).not.toThrow();
    expect(findingsOf(outdir, 'S3BucketDefaultEncryption')).toEqual(['Guarded/Plain/Resource warning']);
    expect(guardrailFindings(outdir)).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketMinimumTls Guarded\/Plain\/Resource warning: no statement denies requests over TLS older than 1.2/));
    expect(findingsOf(outdir, 'S3BucketTlsOnly')).toEqual([]);
    const rendered = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)];
    expect(rendered.Properties).toBeUndefined(); // a bare bucket renders no properties at all: nothing was added
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('an acknowledged rule (plain or plugin-qualified id) is not reported', () => {
    const { app, outdir, stack } = guarded();
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'S3Encryption-S3BucketDefaultEncryption', reason: 'public data set mirror' });
    Validations.of(stack).acknowledge({ id: 'EncryptionGuardrails::S3Encryption-S3BucketSseCBlocked', reason: 'whole stack: legacy SSE-C clients' });
    EncryptionGuardrails.of(app, { mode: GuardrailMode.REPORT });
    app.synth();
    expect(findingsOf(outdir, 'S3BucketDefaultEncryption')).toEqual([]);
    expect(findingsOf(outdir, 'S3BucketSseCBlocked')).toEqual([]);
    expect(findingsOf(outdir, 'S3BucketMinimumTls')).toEqual(['Guarded/Plain/Resource warning']);
  });

  test('covers only the scope it is applied to', () => {
    const { app, outdir } = newAppWithOutdir();
    const guardedStack = new Stack(app, 'Guarded', { env: ENV });
    new s3.Bucket(guardedStack, 'Plain');
    new s3.Bucket(new Stack(app, 'Other', { env: ENV }), 'Plain');
    EncryptionGuardrails.of(guardedStack, { mode: GuardrailMode.REPORT });
    app.synth();
    expect(findingsOf(outdir, 'S3BucketDefaultEncryption')).toEqual(['Guarded/Plain/Resource warning']);
  });
});

describe('GuardrailMode.ENFORCE', () => {
  test('findings are errors: synthesis fails; compliant resources have none', () => {
    const { app, outdir, stack } = guarded();
    new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    new EncryptedBucket(stack, 'Good');
    EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
    expect(() => app.synth()).toThrow(/S3Encryption-S3BucketEncryptionHeaders/);
    expect(findingsOf(outdir, 'S3BucketEncryptionHeaders')).toEqual(['Guarded/Plain/Resource error']);
    expect(guardrailFindings(outdir).filter((f) => f.includes('Guarded/Good/'))).toEqual([]);
  });

  test('checks after every Aspect ran: a policy added by a later Aspect, or resolved lazily, counts', () => {
    const { app, outdir, stack } = guarded();
    const late = new s3.Bucket(stack, 'FixedLater', { encryption: s3.BucketEncryption.S3_MANAGED });
    const lazy = new s3.CfnBucket(stack, 'LazyPolicy');
    new s3.CfnBucketPolicy(stack, 'Lazy', {
      bucket: lazy.ref,
      policyDocument: Lazy.any({ produce: () => ({ Statement: [denyInsecureTransportStatement(lazy.attrArn).toStatementJson(), denyOutdatedTlsStatement(lazy.attrArn, 1.2).toStatementJson()] }) }),
    });
    EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
    const fixer: IAspect = { visit: (node: IConstruct) => { if (node === late) { late.addToResourcePolicy(denyInsecureTransportStatement(late.bucketArn)); late.addToResourcePolicy(denyOutdatedTlsStatement(late.bucketArn, 1.3)); } } };
    Aspects.of(app).add(fixer, { priority: AspectPriority.READONLY + 100 });
    expect(() => app.synth()).toThrow();
    expect(findingsOf(outdir, 'S3BucketTlsOnly')).toEqual([]);
    expect(findingsOf(outdir, 'S3BucketMinimumTls')).toEqual([]);
    expect(findingsOf(outdir, 'S3BucketDefaultEncryption')).toEqual(['Guarded/FixedLater/Resource error', 'Guarded/LazyPolicy error']);
  });

  test('`cdk synth` fails on a finding and names the resource and rule; it succeeds on a compliant app', () => {
    const root = path.join(__dirname, '..', '..');
    const run = (bad: boolean) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforced-'));
      const result = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk'), [
        'synth', '--app', `${path.join(root, 'node_modules', '.bin', 'tsx')} ${path.join(__dirname, 'fixtures', 'enforced-app.ts')}`,
        '--output', outdir, '--no-notices', '--quiet',
      ], { cwd: outdir, encoding: 'utf8', env: { ...process.env, GUARDRAILS_FIXTURE_BAD: bad ? '1' : '0', CDK_DISABLE_VERSION_CHECK: '1' } });
      fs.rmSync(outdir, { recursive: true, force: true });
      return result;
    };
    const failed = run(true);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/S3Encryption-S3BucketDefaultEncryption/);
    expect(failed.stderr).toMatch(/Enforced\/Bad\/Resource/);
    const passed = run(false);
    expect(passed.stderr).not.toMatch(/S3Encryption-/);
    expect(passed.status).toBe(0);
  }, 120_000);
});

const messageText = (m: SynthesisMessage) => (typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data));

describe('design exceptions (an SSE-S3 server access log bucket under a KMS minimum)', () => {
  /** An explicitly SSE-S3 log bucket receiving server access logs, with TLS and header policy in order. */
  function sseS3LogBucket(mode: GuardrailMode) {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Logs', { env: ENV });
    const logs = new EncryptedBucket(stack, 'AccessLogs', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket });
    EncryptionGuardrails.of(app, { mode });
    return { app, outdir, stack, logs };
  }

  test.each([GuardrailMode.REPORT, GuardrailMode.ENFORCE, GuardrailMode.REMEDIATE])('%s: no finding; an Info annotation names the rule, the service and the AWS page', (mode) => {
    const { app, outdir, stack } = sseS3LogBucket(mode);
    const messages = app.synth().getStackArtifact(stack.artifactId).messages;
    expect(guardrailFindings(outdir).filter((f) => f.startsWith('S3Encryption-S3BucketDefaultEncryption'))).toEqual([]);
    expect(messages.filter((m) => m.level === SynthesisMessageLevel.INFO).map((m) => `${m.id}: ${messageText(m)}`)).toContainEqual(expect.stringMatching(
      /^\/Logs\/AccessLogs\/Bucket\/Resource: EncryptionGuardrails: S3Encryption-S3BucketDefaultEncryption accepted by design: SSE-S3 instead of SSE_KMS: the bucket receives S3 server access logging .*enable-server-access-logging.html/));
    expect(messages.filter((m) => m.id === '/Logs/Data/Bucket/Resource' && messageText(m).includes('accepted by design'))).toEqual([]);
  });

  test('an acknowledgement of the rule on the bucket replaces the annotation', () => {
    const { app, stack, logs } = sseS3LogBucket(GuardrailMode.REPORT);
    Validations.of(logs.bucket).acknowledge({ id: 'S3Encryption-S3BucketDefaultEncryption', reason: 'log archive' });
    const messages = app.synth().getStackArtifact(stack.artifactId).messages;
    expect(messages.filter((m) => messageText(m).includes('accepted by design'))).toEqual([]);
  });
});

describe('EncryptionGuardrails props', () => {
  test('rejects a TLS minimum a bucket must not require', () => {
    expect(() => EncryptionGuardrails.of(new App(), { mode: GuardrailMode.REMEDIATE, minimumTlsVersion: 1.4 }))
      .toThrow(ConstructPropError);
    expect(() => EncryptionGuardrails.of(new App(), { mode: GuardrailMode.REMEDIATE, minimumTlsVersion: 1.1 }))
      .toThrow(/prop 'minimumTlsVersion': 1.1 is not a TLS version a bucket policy may require. Fix: use one of 1.2, 1.3/);
  });

  test('applies once per scope; different scopes may combine modes', () => {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Team', { env: ENV });
    EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
    expect(() => EncryptionGuardrails.of(app, { mode: GuardrailMode.REPORT })).toThrow(/already applied here \(mode ENFORCE\)/);
    new s3.Bucket(stack, 'Plain');
    EncryptionGuardrails.of(stack, { mode: GuardrailMode.REMEDIATE });
    expect(() => app.synth()).not.toThrow(); // remediated first, then enforced clean
    expect(guardrailFindings(outdir)).toEqual([]);
  });

  test('remediation is applied before mutating Aspects; report and enforce with read-only ones', () => {
    const priorityOf = (mode: GuardrailMode) => {
      const a = new App();
      const guardrails = EncryptionGuardrails.of(a, { mode });
      return Aspects.of(a).applied.find((x) => x.aspect === guardrails)!.priority;
    };
    expect(priorityOf(GuardrailMode.REMEDIATE)).toBe(EncryptionGuardrails.REMEDIATION_PRIORITY);
    expect(EncryptionGuardrails.REMEDIATION_PRIORITY).toBeLessThan(AspectPriority.MUTATING);
    expect(priorityOf(GuardrailMode.REPORT)).toBe(AspectPriority.READONLY);
    expect(priorityOf(GuardrailMode.ENFORCE)).toBe(AspectPriority.READONLY);
  });
});
