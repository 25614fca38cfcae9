import { Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeOnResource, addCompliancePacks } from '../../bin/compliance-packs';
import { BucketEncryptionMode, EncryptedBucket, EncryptedBucketProfile, EncryptionGuardrails, GuardrailMode, S3EncryptionChecks } from '../../lib';
import { ENV, type SynthCase, spreadOverStacks } from './types';

const PACKS = ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'];
const REPLICATION = PACKS.map((pack) => `${pack}-S3BucketReplicationEnabled`);
const KMS_DEFAULT_ENCRYPTION = PACKS.map((pack) => `${pack}-S3DefaultEncryptionKMS`);

/**
 * What the guardrails add to a platform team's synth: N REGULATED EncryptedBuckets (Object Lock
 * on, one shared SSE-S3 log bucket per stack, replication acknowledged) under the five cdk-nag packs,
 * with and without the S3EncryptionChecks pack and EncryptionGuardrails in ENFORCE mode (the
 * golden-path setup). Both variants synthesize with zero findings.
 */
export const guardrails: SynthCase = {
  name: 'guardrails',
  description: 'N REGULATED EncryptedBuckets + five cdk-nag packs, with vs without S3EncryptionChecks + EncryptionGuardrails (ENFORCE)',
  sizes: [100, 500],
  variants: { ours: 'five cdk-nag packs + S3EncryptionChecks + EncryptionGuardrails', baseline: 'five cdk-nag packs' },
  goalRatio: 1.15,
  build(app, variant, size) {
    const acknowledgeReplication = (bucket: EncryptedBucket) => {
      for (const id of REPLICATION) acknowledgeOnResource(bucket.bucket.node.defaultChild as s3.CfnBucket, id, 'Replication is not part of this benchmark.');
    };
    spreadOverStacks(size, (i) => {
      const stack = new Stack(app, `Regulated${i}`, { env: ENV });
      // S3 server access log destinations must use SSE-S3 (enable-server-access-logging.html), as in the golden path
      const logs = new EncryptedBucket(stack, 'AccessLogs', { objectLockEnabled: true, encryption: BucketEncryptionMode.SSE_S3 });
      acknowledgeReplication(logs);
      const logsResource = logs.bucket.node.defaultChild as s3.CfnBucket;
      for (const id of KMS_DEFAULT_ENCRYPTION) acknowledgeOnResource(logsResource, id, 'Server access log destinations must use SSE-S3.');
      // The guardrails exempt access-log destinations now; the library before the package split did not, and
      // `synth.ts --before` builds this same app with it (issue 12: same case, before and after).
      acknowledgeOnResource(logsResource, 'S3Encryption-S3BucketDefaultEncryption', 'Server access log destinations must use SSE-S3.');
      return { stack, logs };
    }, ({ stack, logs }, i) => {
      acknowledgeReplication(new EncryptedBucket(stack, `Data${i}`, {
        profile: EncryptedBucketProfile.REGULATED, serverAccessLogsBucket: logs.bucket, objectLockEnabled: true,
      }));
    });
    addCompliancePacks(app);
    if (variant === 'ours') {
      Validations.of(app).addPlugins(new S3EncryptionChecks(app));
      EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
    }
  },
};
