import {
  KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN, KMS_THROTTLING_PATTERN, type PatternValue,
  bucketPolicyOrEncryptionChangePatterns, encryptionPolicyDenialPatterns, kmsAccessDeniedPatterns,
} from '../../lib/private/audit-filter-patterns';
import { loadCloudTrailFixtures } from '../support/cloudtrail-fixtures';
import { JsonFilterPattern } from '../support/cwl-filter-pattern';

/**
 * Each of the audit's filter patterns, evaluated (test/support/cwl-filter-pattern.ts, itself checked
 * against AWS's documented examples) against every CloudTrail record in test/fixtures/cloudtrail.
 * The expected set of matching records is exact: a pattern that matches nothing, or too much, fails.
 */
const FIXTURES = loadCloudTrailFixtures();
const PROTECTED_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const plain = (text: string): PatternValue => ({ text, maxLength: text.length });

/** The fixtures matched by any of `patterns` (one metric can be fed by several filters). */
function matchedBy(patterns: readonly string[]): string[] {
  const parsed = patterns.map((p) => new JsonFilterPattern(p));
  return [...FIXTURES.values()].filter((f) => parsed.some((p) => p.matches(f.record as never))).map((f) => f.name).sort();
}

describe('fixtures', () => {
  test.each([...FIXTURES.values()].map((f) => [f.name, f] as const))('%s names its AWS source and provenance', (_name, fixture) => {
    expect(fixture.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(['verbatim', 'corrected', 'constructed']).toContain(fixture.provenance);
    if (fixture.provenance === 'constructed') expect(Object.keys(fixture.fieldSources ?? {}).length).toBeGreaterThan(0);
    expect(fixture.record.eventSource).toEqual(expect.any(String));
  });
});

test('KMS key disabled or scheduled for deletion: the Security Hub CloudWatch.7 (CIS 3.7/4.7) pattern, verbatim', () => {
  expect(KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN)
    .toBe('{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}');
  // Not DisableKeyRotation (a near miss), not any other KMS call.
  expect(matchedBy([KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN])).toEqual(['kms-disable-key', 'kms-schedule-key-deletion']);
});

test('KMS AccessDenied on the library\'s keys (by key id): not on other keys, not other KMS failures', () => {
  const patterns = kmsAccessDeniedPatterns([{ kind: 'keyId', keyId: plain(PROTECTED_KEY_ID) }]);
  expect(matchedBy(patterns)).toEqual(['kms-generate-data-key-access-denied']);
});

test('KMS AccessDenied by Region prefix (keys of another Region, whose ids the audit cannot name) covers every key there', () => {
  const patterns = kmsAccessDeniedPatterns([{ kind: 'keyArnPrefix', prefix: plain('arn:aws:kms:us-west-2:111122223333:key/') }]);
  expect(matchedBy(patterns)).toEqual(['kms-generate-data-key-access-denied', 'kms-generate-data-key-access-denied-other-key']);
  const elsewhere = kmsAccessDeniedPatterns([{ kind: 'keyArnPrefix', prefix: plain('arn:aws:kms:eu-west-1:111122223333:key/') }]);
  expect(matchedBy(elsewhere)).toEqual([]);
});

test('KMS throttling', () => {
  expect(matchedBy([KMS_THROTTLING_PATTERN])).toEqual(['kms-decrypt-throttled']);
});

test('S3 requests denied by the encryption policies: other algorithm, other key, SSE-C; only on protected buckets', () => {
  const patterns = encryptionPolicyDenialPatterns([plain('amzn-s3-demo-bucket1')]);
  expect(matchedBy(patterns)).toEqual([
    's3-put-object-denied-other-algorithm', 's3-put-object-denied-other-kms-key', 's3-put-object-denied-sse-c',
  ]);
});

test('changes to bucket policies or bucket encryption on protected buckets', () => {
  const patterns = bucketPolicyOrEncryptionChangePatterns([plain('amzn-s3-demo-bucket1'), plain('DOC-EXAMPLE-BUCKET1')]);
  expect(matchedBy(patterns)).toEqual(['s3-delete-bucket-encryption', 's3-put-bucket-encryption', 's3-put-bucket-policy']);
});

describe('long lists are split into patterns of at most 1024 characters, with the same matches', () => {
  const names = [...Array.from({ length: 60 }, (_, i) => plain(`example-bucket-${i}`)), plain('amzn-s3-demo-bucket1')];

  test('bucket patterns', () => {
    for (const build of [encryptionPolicyDenialPatterns, bucketPolicyOrEncryptionChangePatterns]) {
      const patterns = build(names);
      expect(patterns.length).toBeGreaterThan(1);
      for (const p of patterns) expect(() => new JsonFilterPattern(p)).not.toThrow();
      expect(matchedBy(patterns)).toEqual(matchedBy(build([plain('amzn-s3-demo-bucket1')])));
    }
  });

  test('unresolved values count at their longest', () => {
    const token = { text: '${Token[TOKEN.1]}', maxLength: 63 };
    const patterns = encryptionPolicyDenialPatterns(Array.from({ length: 40 }, () => token));
    for (const p of patterns) expect(p.length - (p.split(token.text).length - 1) * (token.text.length - 63)).toBeLessThanOrEqual(1024);
  });

  test('key patterns', () => {
    const keys = [...Array.from({ length: 30 }, (_, i) => ({ kind: 'keyId' as const, keyId: plain(`0000000${i}-12ab-34cd-56ef-1234567890ab`) })),
      { kind: 'keyId' as const, keyId: plain(PROTECTED_KEY_ID) }];
    const patterns = kmsAccessDeniedPatterns(keys);
    expect(patterns.length).toBeGreaterThan(1);
    expect(matchedBy(patterns)).toEqual(['kms-generate-data-key-access-denied']);
  });
});
