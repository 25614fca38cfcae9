import { Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeOnResource, addCompliancePacks } from '../../bin/compliance-packs';
import { EncryptedBucket, EncryptedBucketProfile, EncryptionGuardrails, GuardrailMode, S3EncryptionChecks } from '../../lib';
import { ENV, type SynthCase, spreadOverStacks } from './types';

const REPLICATION = ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => `${pack}-S3BucketReplicationEnabled`);

/**
 * What the guardrails add to a platform team's synth: N REGULATED EncryptedBuckets (Object Lock
 * on, one shared log bucket per stack, replication acknowledged) under the five cdk-nag packs,
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
      const logs = new EncryptedBucket(stack, 'AccessLogs', { objectLockEnabled: true });
      acknowledgeReplication(logs);
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
