import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ReplicatedEncryptedBucket, ReplicaTarget } from '../../lib';
import { baselineBucket } from './encrypted-buckets';
import { ENV, type SynthCase, spreadOverStacks } from './types';

/**
 * N replicated pairs: a ReplicatedEncryptedBucket replicating into a new EncryptedBucket, against
 * aws-cdk-lib's own replication: two s3.Bucket + kms.Key with the same encryption, TLS,
 * versioning and public-access settings, the source with `replicationRules` (the replica key,
 * `sseKmsEncryptedObjects`) and its auto-created role. Ours also validates the pair and renders
 * the scoped bucket/key-policy grants, the encryption-header and SSE-C policies, CT.KMS.PR.3 and
 * the lifecycle rule, which the baseline lacks.
 */
export const replicatedPairs: SynthCase = {
  name: 'replicated-pairs',
  description: 'N ReplicatedEncryptedBucket pairs vs N aws-cdk-lib replicationRules pairs (s3.Bucket + kms.Key each side)',
  sizes: [1, 50, 250],
  variants: { ours: 'ReplicatedEncryptedBucket + ReplicaTarget.newEncryptedBucket', baseline: 'aws-cdk-lib s3.Bucket replicationRules + kms.Key' },
  goalRatio: 1.25,
  build(app, variant, size) {
    // Without this flag aws-cdk-lib names every replication role 'CDKReplicationRole', which cannot
    // deploy twice in an account; the flag (recommended since 2.182) gives it a generated name.
    if (variant === 'baseline') app.node.setContext('@aws-cdk/aws-s3:setUniqueReplicationRoleName', true);
    spreadOverStacks(size, (i) => new Stack(app, `Pairs${i}`, { env: ENV }), (stack, i) => {
      if (variant === 'ours') {
        new ReplicatedEncryptedBucket(stack, `Data${i}`, { rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
        return;
      }
      const replicaKey = new kms.Key(stack, `ReplicaKey${i}`, { enableKeyRotation: true });
      const replica = baselineBucket(stack, `Replica${i}`, replicaKey);
      const key = new kms.Key(stack, `Key${i}`, { enableKeyRotation: true });
      baselineBucket(stack, `Data${i}`, key, [{ destination: replica, kmsKey: replicaKey, sseKmsEncryptedObjects: true }]);
    });
  },
};
