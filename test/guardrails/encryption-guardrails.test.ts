import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AspectPriority, Aspects, IAspect, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  ConstructPropError, EncryptedBucket, EncryptionGuardrails, GuardrailMode, denyInsecureTransportStatement, denyOutdatedTlsStatement,
} from '../../lib';
import { ENV } from './support';

function app() {
  const a = new App();
  return { app: a, stack: new Stack(a, 'Guarded', { env: ENV }) };
}

const RULE = (id: string) => Match.stringLikeRegexp(`\\[S3Encryption-${id}\\]`);

describe('GuardrailMode.REPORT', () => {
  test('findings become acknowledgeable warnings at the resource; nothing is changed and synth succeeds', () => {
    const { app: a, stack } = app();
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    EncryptionGuardrails.of(a, { mode: GuardrailMode.REPORT });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Guarded/Plain/Resource', RULE('S3BucketDefaultEncryption'));
    annotations.hasWarning('/Guarded/Plain/Resource', Match.stringLikeRegexp('\\[S3Encryption-S3BucketMinimumTls\\] no statement denies requests over TLS older than 1.2.*Fix: .*acknowledge\\(\\{ id: \'S3Encryption-S3BucketMinimumTls\''));
    annotations.hasNoWarning('/Guarded/Plain/Resource', RULE('S3BucketTlsOnly'));
    annotations.hasNoError('*', Match.anyValue());
    const rendered = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)];
    expect(rendered.Properties).toBeUndefined(); // a bare bucket renders no properties at all: nothing was added
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('an acknowledged rule (plain or plugin-qualified id) is not reported', () => {
    const { app: a, stack } = app();
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'S3Encryption-S3BucketDefaultEncryption', reason: 'public data set mirror' });
    Validations.of(stack).acknowledge({ id: 'S3Encryption::S3Encryption-S3BucketSseCBlocked', reason: 'whole stack: legacy SSE-C clients' });
    EncryptionGuardrails.of(a, { mode: GuardrailMode.REPORT });
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('/Guarded/Plain/Resource', RULE('S3BucketDefaultEncryption'));
    annotations.hasNoWarning('/Guarded/Plain/Resource', RULE('S3BucketSseCBlocked'));
    annotations.hasWarning('/Guarded/Plain/Resource', RULE('S3BucketMinimumTls'));
  });

  test('covers only the scope it is applied to', () => {
    const a = new App();
    const guarded = new Stack(a, 'Guarded', { env: ENV });
    const other = new Stack(a, 'Other', { env: ENV });
    new s3.Bucket(guarded, 'Plain');
    new s3.Bucket(other, 'Plain');
    EncryptionGuardrails.of(guarded, { mode: GuardrailMode.REPORT });
    Annotations.fromStack(guarded).hasWarning('/Guarded/Plain/Resource', RULE('S3BucketDefaultEncryption'));
    Annotations.fromStack(other).hasNoWarning('*', RULE('S3BucketDefaultEncryption'));
  });
});

describe('GuardrailMode.ENFORCE', () => {
  test('findings are error annotations at the resource; compliant resources get none', () => {
    const { app: a, stack } = app();
    new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    new EncryptedBucket(stack, 'Good');
    EncryptionGuardrails.of(a, { mode: GuardrailMode.ENFORCE });
    const annotations = Annotations.fromStack(stack);
    annotations.hasError('/Guarded/Plain/Resource', RULE('S3BucketEncryptionHeaders'));
    annotations.hasNoError('/Guarded/Good/Bucket/Resource', Match.anyValue());
    annotations.hasNoError('/Guarded/Good/Key/Resource', Match.anyValue());
  });

  test('checks after every Aspect ran: a policy added by a later Aspect, or resolved lazily, counts', () => {
    const { app: a, stack } = app();
    const late = new s3.Bucket(stack, 'FixedLater', { encryption: s3.BucketEncryption.S3_MANAGED });
    const lazy = new s3.CfnBucket(stack, 'LazyPolicy');
    new s3.CfnBucketPolicy(stack, 'Lazy', {
      bucket: lazy.ref,
      policyDocument: Lazy.any({ produce: () => ({ Statement: [denyInsecureTransportStatement(lazy.attrArn).toStatementJson(), denyOutdatedTlsStatement(lazy.attrArn, 1.2).toStatementJson()] }) }),
    });
    EncryptionGuardrails.of(a, { mode: GuardrailMode.ENFORCE });
    const fixer: IAspect = { visit: (node: IConstruct) => { if (node === late) { late.addToResourcePolicy(denyInsecureTransportStatement(late.bucketArn)); late.addToResourcePolicy(denyOutdatedTlsStatement(late.bucketArn, 1.3)); } } };
    Aspects.of(a).add(fixer, { priority: AspectPriority.READONLY + 100 });
    const annotations = Annotations.fromStack(stack);
    for (const p of ['/Guarded/FixedLater/Resource', '/Guarded/LazyPolicy']) {
      annotations.hasNoError(p, RULE('S3BucketTlsOnly'));
      annotations.hasNoError(p, RULE('S3BucketMinimumTls'));
      annotations.hasError(p, RULE('S3BucketDefaultEncryption'));
    }
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
    expect(failed.stderr).toMatch(/\[S3Encryption-S3BucketDefaultEncryption\]/);
    expect(failed.stderr).toMatch(/Enforced\/Bad\/Resource/);
    const passed = run(false);
    expect(passed.stderr).not.toMatch(/S3Encryption-/);
    expect(passed.status).toBe(0);
  }, 120_000);
});

describe('EncryptionGuardrails props', () => {
  test('rejects a TLS minimum a bucket must not require', () => {
    expect(() => EncryptionGuardrails.of(new App(), { mode: GuardrailMode.REMEDIATE, minimumTlsVersion: 1.4 }))
      .toThrow(ConstructPropError);
    expect(() => EncryptionGuardrails.of(new App(), { mode: GuardrailMode.REMEDIATE, minimumTlsVersion: 1.1 }))
      .toThrow(/prop 'minimumTlsVersion': 1.1 is not a TLS version a bucket policy may require. Fix: use one of 1.2, 1.3/);
  });

  test('applies once per scope; different scopes may combine modes', () => {
    const a = new App();
    const stack = new Stack(a, 'Team', { env: ENV });
    EncryptionGuardrails.of(a, { mode: GuardrailMode.ENFORCE });
    expect(() => EncryptionGuardrails.of(a, { mode: GuardrailMode.REPORT })).toThrow(/already applied here \(mode ENFORCE\)/);
    new s3.Bucket(stack, 'Plain');
    EncryptionGuardrails.of(stack, { mode: GuardrailMode.REMEDIATE });
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue()); // remediated first, then enforced clean
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
