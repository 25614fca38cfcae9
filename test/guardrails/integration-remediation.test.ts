import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptionGuardrails, GuardrailMode } from '../../lib';
import { ALLOW_EVERYTHING, type EvaluationOutcome, ResolvedTemplate, TEST_ENV, evaluate, https, rolePrincipalContext } from '../support/iam-evaluation';
import { INTEGRATION_FIXTURES, type IntegrationFixture, type ServiceRequest } from './fixtures/integrations';
import { guardrailFindings, newAppWithOutdir } from './support';

/**
 * Issue 11, "Remediation that never breaks a working integration": plain aws-cdk-lib apps in
 * which CloudTrail, an ALB, CloudFront (OAI origin, standard logs), VPC Flow Logs and S3 server
 * access logging use buckets, run through EncryptionGuardrails in every mode and with every
 * minimumEncryption. Afterwards each bucket's encryption is one its services support, and the
 * real IAM engine still allows the requests those services send (principal, headers, source
 * context) under the bucket policy as deployed. REPORT and ENFORCE change nothing. A bucket no
 * service uses, in the same app, is still remediated completely.
 */

const MODES = [GuardrailMode.REPORT, GuardrailMode.ENFORCE, GuardrailMode.REMEDIATE];
const MINIMA = [BucketEncryptionMode.SSE_S3, BucketEncryptionMode.SSE_KMS, BucketEncryptionMode.DSSE_KMS];
const APP_ROLE = `arn:aws:iam::${TEST_ENV.account}:role/app`;

interface Synthesized {
  readonly stack: Stack;
  readonly outdir: string;
  /** The template as written to the cloud assembly (also when validation then failed). */
  readonly template: any;
  readonly buckets: Record<string, s3.Bucket>;
  readonly error?: Error;
  /** Annotations of the stack, as `<level> <path>: <text>`. */
  readonly messages: string[];
}

function synthesize(fixture: IntegrationFixture, mode?: GuardrailMode, minimumEncryption?: BucketEncryptionMode): Synthesized {
  const { app, outdir } = newAppWithOutdir(fixture.context ?? {});
  const stack = new Stack(app, 'Integration', { env: TEST_ENV });
  const buckets = fixture.build(stack);
  if (mode) EncryptionGuardrails.of(app, { mode, minimumEncryption });
  let error: Error | undefined;
  let messages: string[] = [];
  try {
    messages = app.synth().getStackArtifact(stack.artifactId).messages
      .map((m) => `${m.level} ${m.id}: ${typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data)}`);
  } catch (e) {
    error = e as Error;
  }
  const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
  return { stack, outdir, template, buckets, error, messages };
}

const logicalIdOf = (run: Synthesized) => (id: string) => run.stack.getLogicalId(run.stack.node.findChild(id).node.defaultChild as never);
const bucketId = (run: Synthesized, role: string) => run.stack.getLogicalId(run.buckets[role].node.defaultChild as never);
const defaultEncryptionOf = (run: Synthesized, role: string) =>
  run.template.Resources[bucketId(run, role)].Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
const policiesOf = (run: Synthesized, role: string) => Object.values<any>(run.template.Resources)
  .filter((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId(run, role));

async function send(run: Synthesized, t: ResolvedTemplate, request: ServiceRequest, context = request.context): Promise<EvaluationOutcome> {
  const arn = t.arnOf(bucketId(run, request.bucket));
  return evaluate({
    principal: request.principal, action: request.action, resource: request.key ? `${arn}/${request.key}` : arn, context,
    identityPolicies: request.crossAccount ? [ALLOW_EVERYTHING] : [],
    // No bucket policy (an ACL-based delivery before remediation): nothing can deny it.
    resourcePolicy: policiesOf(run, request.bucket).length === 0 ? undefined : t.bucketPolicyFor(bucketId(run, request.bucket)),
  });
}

/** Sends every request of the fixture against `run`'s bucket policies and checks each is allowed (or not denied). */
async function expectServicesServed(fixture: IntegrationFixture, run: Synthesized): Promise<void> {
  const t = new ResolvedTemplate(run.stack);
  for (const request of fixture.requests(t, logicalIdOf(run))) {
    if (fixture.serviceAttachesPolicy?.includes(request.bucket) && policiesOf(run, request.bucket).length === 0) continue; // checked by the caller
    const { decision, denyingStatements } = await send(run, t, request);
    const outcome = { request: request.label, decision, denyingStatements };
    if (request.expect === 'Allowed') expect(outcome).toEqual({ ...outcome, decision: 'Allowed' });
    else expect(outcome).toEqual({ ...outcome, decision: expect.not.stringMatching(/^ExplicitlyDenied$/) });
  }
}

describe.each(INTEGRATION_FIXTURES)('$name', (fixture) => {
  let baseline: Synthesized | undefined;
  const baselineOf = () => (baseline ??= synthesize(fixture));

  test('without guardrails: the services are served (the fixture is a working integration)', async () => {
    const run = baselineOf();
    expect(run.error).toBeUndefined();
    await expectServicesServed(fixture, run);
    for (const role of fixture.serviceAttachesPolicy ?? []) expect(policiesOf(run, role)).toEqual([]);
  });

  describe.each(MODES)('%s', (mode) => {
    test.each(MINIMA)('minimumEncryption %s: encryption the services support, their requests still served', async (minimum) => {
      const run = synthesize(fixture, mode, minimum);
      if (mode === GuardrailMode.ENFORCE) expect(run.error?.message).toMatch(/Validation failed|EncryptionGuardrails/);
      else expect(run.error).toBeUndefined();

      for (const [role, facts] of Object.entries(fixture.buckets)) {
        // Services that can only use SSE-S3 keep it (written explicitly under a KMS minimum); the others keep what they had.
        const expected = mode !== GuardrailMode.REMEDIATE ? undefined
          : minimum === BucketEncryptionMode.SSE_S3 || facts.sseS3Only ? { SSEAlgorithm: 'AES256' } : undefined;
        expect({ role, encryption: defaultEncryptionOf(run, role) }).toEqual({ role, encryption: expected });
      }

      if (mode !== GuardrailMode.REMEDIATE) {
        // Nothing changes: the deployed app is the baseline, whose integrations are served (test above).
        expect(run.template.Resources).toEqual(baselineOf().template.Resources);
        return;
      }
      await expectServicesServed(fixture, run);

      const t = new ResolvedTemplate(run.stack);
      for (const [role, facts] of Object.entries(fixture.buckets)) {
        const resource = `/Integration/${role}/Resource`;
        for (const service of facts.services) {
          expect(run.messages).toContainEqual(expect.stringContaining(`info ${resource}: EncryptionGuardrails: ${service} uses this bucket`));
        }
        expect(run.messages.filter((m) => m.startsWith(`info ${resource}: EncryptionGuardrails: `) && m.includes(facts.docUrl))).not.toEqual([]);
        // Not weakened, protected: the TLS deny was added and applies to the services too.
        const first = fixture.requests(t, logicalIdOf(run)).find((r) => r.bucket === role)!;
        const overHttp: Record<string, string> = { ...first.context, 'aws:SecureTransport': 'false' };
        delete overHttp['s3:TlsVersion'];
        expect((await send(run, t, first, overHttp)).denyingStatements).toContain('DenyInsecureTransport');
      }
      for (const role of fixture.serviceAttachesPolicy ?? []) {
        // The policy remediation created carries the service's own statements, so creating the flow log leaves it in place.
        const flowLog = Object.values<any>(run.template.Resources).find((r) => r.Type === 'AWS::EC2::FlowLog');
        expect(flowLog.DependsOn).toEqual(expect.arrayContaining([run.stack.getLogicalId(run.buckets[role].policy!.node.defaultChild as never)]));
      }

      // What is left is reported with the reason; the bucket no service uses has nothing left.
      const findings = guardrailFindings(run.outdir);
      for (const role of Object.keys(fixture.buckets)) {
        for (const finding of findings.filter((f) => f.includes(` Integration/${role}/Resource `))) expect(finding).toMatch(/Not remediated: /);
      }
      expect(findings.filter((f) => f.includes(' Integration/Plain/'))).toEqual([]);
      await expectPlainBucketRemediated(run, t, minimum);
    });
  });
});

/** The bucket no service uses: the full remediation for the minimum, shown in the IAM engine. */
async function expectPlainBucketRemediated(run: Synthesized, t: ResolvedTemplate, minimum: BucketEncryptionMode): Promise<void> {
  const rule = run.template.Resources[bucketId(run, 'Plain')].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
  expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe(minimum.sseAlgorithm);
  expect(rule.BlockedEncryptionTypes).toEqual({ EncryptionType: ['SSE-C'] });
  if (minimum === BucketEncryptionMode.SSE_KMS) expect(rule.BucketKeyEnabled).toBe(true);
  const arn = t.arnOf(bucketId(run, 'Plain'));
  const put = (context: Record<string, string>) => evaluate({
    principal: APP_ROLE, action: 's3:PutObject', resource: `${arn}/data.csv`, context: { ...rolePrincipalContext(APP_ROLE), ...https('1.2'), ...context },
    identityPolicies: [ALLOW_EVERYTHING], resourcePolicy: t.bucketPolicyFor(bucketId(run, 'Plain')),
  });
  expect((await put({})).decision).toBe('Allowed');
  const other = minimum === BucketEncryptionMode.SSE_S3 ? 'aws:kms' : 'AES256';
  expect((await put({ 's3:x-amz-server-side-encryption': other })).denyingStatements).toContain('DenyOtherEncryptionAlgorithms');
  if (minimum.usesKms) {
    const otherKey = { 's3:x-amz-server-side-encryption': minimum.sseAlgorithm, 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${TEST_ENV.region}:222222222222:key/other` };
    expect((await put(otherKey)).denyingStatements).toContain('DenyOtherKmsKeys');
  }
}
