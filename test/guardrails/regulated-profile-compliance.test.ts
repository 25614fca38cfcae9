import { Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { COMPLIANCE_PACK_NAMES, addCompliancePacks } from '../../bin/compliance-packs';
import { EncryptedBucket, EncryptedBucketProfile, S3EncryptionChecks } from '../../lib';
import {
  CONTROL_TOWER, CONTROL_TOWER_RULES, ENV, controlTowerS3AndKmsValidator, newAppWithOutdir, reportedViolations,
} from './support';

/**
 * The REGULATED profile against the five cdk-nag packs (bin/compliance-packs.ts), the Control
 * Tower proactive controls CT.S3.PR.* and CT.KMS.PR.* (cfn-guard, offline) and our pack: zero
 * unacknowledged findings. The acknowledgements below are the only ones a user needs, each for a
 * control the profile does not claim (see the README control map): replication (issue 3,
 * ReplicatedEncryptedBucket), S3 event notifications, logging of the log bucket itself, and,
 * without Object Lock, the two Object Lock controls. The log bucket is SSE-S3, the only encryption
 * S3 server access logging supports: the KMS checks of the other packs (which know nothing of log
 * delivery) are acknowledged on it with that reason, while S3Encryption accepts it by design.
 */
function regulatedApp(objectLock: boolean) {
  const { app, outdir } = newAppWithOutdir();
  const stack = new Stack(app, 'Regulated', { env: ENV });
  // A log bucket may have Object Lock without a default retention (S3.9 only forbids the retention).
  // It is SSE-S3: "Enabling Amazon S3 server access logging" says the destination bucket must use SSE-S3.
  const logs = new EncryptedBucket(stack, 'AccessLogs', { profile: EncryptedBucketProfile.GENERAL_PURPOSE, objectLockEnabled: true });
  const data = new EncryptedBucket(stack, 'Data', { profile: EncryptedBucketProfile.REGULATED, serverAccessLogsBucket: logs.bucket, objectLockEnabled: objectLock });
  addCompliancePacks(app);
  Validations.of(app).addPlugins(controlTowerS3AndKmsValidator(), new S3EncryptionChecks(app));
  return { app, outdir, logs, data };
}

/** The KMS default-encryption checks of other packs, which an SSE-S3 log bucket fails by design. */
const SSE_S3_LOG_BUCKET_KMS_CHECKS = [
  ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ plugin: pack, id: `${pack}-S3DefaultEncryptionKMS`, rule: `${pack}-S3DefaultEncryptionKMS` })),
  { plugin: CONTROL_TOWER, id: `${CONTROL_TOWER}::${CONTROL_TOWER_RULES['CT.S3.PR.10']}`, rule: CONTROL_TOWER_RULES['CT.S3.PR.10'] },
];
const SSE_S3_LOG_BUCKET_REASON = 'Server access log destination: "Enabling Amazon S3 server access logging" requires SSE-S3 (with SSE-KMS, logs may be encrypted under a key you cannot access).';

function acknowledge(bucket: EncryptedBucket, id: string, reason: string) {
  Validations.of(bucket.bucket.node.defaultChild as s3.CfnBucket).acknowledge({ id, reason });
}

function acknowledgeUnclaimedControls(logs: EncryptedBucket, data: EncryptedBucket, objectLock: boolean) {
  for (const bucket of [logs, data]) {
    for (const pack of COMPLIANCE_PACK_NAMES.filter((p) => p !== 'AwsSolutions')) {
      acknowledge(bucket, `${pack}-S3BucketReplicationEnabled`, 'Cross-Region replication is added with ReplicatedEncryptedBucket, not by the profile.');
    }
    acknowledge(bucket, `${CONTROL_TOWER}::${CONTROL_TOWER_RULES['CT.S3.PR.4']}`, 'No consumer of object events in this app (S3.11).');
  }
  acknowledge(logs, `${CONTROL_TOWER}::${CONTROL_TOWER_RULES['CT.S3.PR.2']}`, 'The log bucket is the end of the logging chain; Security Hub S3.9 does not require it to log.');
  for (const id of SSE_S3_LOG_BUCKET_KMS_CHECKS.map((c) => c.id)) acknowledge(logs, id, SSE_S3_LOG_BUCKET_REASON);
  if (!objectLock) {
    acknowledge(data, 'NIST.800.53.R4-S3BucketDefaultLockEnabled', 'Object Lock is optional in the regulated profile; this data must stay deletable.');
    acknowledge(data, `${CONTROL_TOWER}::${CONTROL_TOWER_RULES['CT.S3.PR.9']}`, 'Object Lock is optional in the regulated profile; this data must stay deletable.');
  }
}

describe.each([true, false])('REGULATED profile (objectLockEnabled: %p)', (objectLock) => {
  test('without acknowledgements, only the controls the profile does not claim are reported', () => {
    const { app, outdir } = regulatedApp(objectLock);
    expect(() => app.synth()).toThrow(/S3BucketReplicationEnabled|does not have replication enabled/);
    const reported = reportedViolations(outdir).map((v) => `${v.plugin} ${v.rule} ${v.paths.join(',')}`).sort();
    const both = 'Regulated/AccessLogs/Bucket/Resource,Regulated/Data/Bucket/Resource';
    const expected = [
      ...COMPLIANCE_PACK_NAMES.filter((p) => p !== 'AwsSolutions').map((p) => `${p} ${p}-S3BucketReplicationEnabled ${both}`),
      `${CONTROL_TOWER} ${CONTROL_TOWER_RULES['CT.S3.PR.4']} ${both}`,
      `${CONTROL_TOWER} ${CONTROL_TOWER_RULES['CT.S3.PR.2']} Regulated/AccessLogs/Bucket/Resource`,
      ...SSE_S3_LOG_BUCKET_KMS_CHECKS.map((c) => `${c.plugin} ${c.rule} Regulated/AccessLogs/Bucket/Resource`),
      ...(objectLock ? [] : [
        'NIST.800.53.R4 NIST.800.53.R4-S3BucketDefaultLockEnabled Regulated/Data/Bucket/Resource',
        `${CONTROL_TOWER} ${CONTROL_TOWER_RULES['CT.S3.PR.9']} Regulated/Data/Bucket/Resource`,
      ]),
    ].sort();
    expect(reported).toEqual(expected);
  });

  test('with those acknowledgements: zero unacknowledged findings across the five packs, CT.S3/CT.KMS and S3Encryption', () => {
    const { app, outdir, logs, data } = regulatedApp(objectLock);
    acknowledgeUnclaimedControls(logs, data, objectLock);
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(outdir)).toEqual([]);
  });
});
