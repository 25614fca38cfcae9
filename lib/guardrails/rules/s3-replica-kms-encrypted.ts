import { Token } from 'aws-cdk-lib';
import { defaultEncryptionOf } from '../bucket-encryption-facts';
import { renderCfnString } from '../cfn-expression';
import { field, pathOf } from '../json';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES, displayPath, replicationRules } from '../template-index';

const KMS_FAMILY = ['aws:kms', 'aws:kms:dsse'];

/**
 * A bucket that replicates and is KMS-encrypted replicates its KMS-encrypted objects
 * (`SourceSelectionCriteria.SseKmsEncryptedObjects: Enabled`) into KMS-encrypted replicas
 * (`Destination.EncryptionConfiguration.ReplicaKmsKeyID`, a key in the destination's Region), and
 * a destination bucket defined in the app is itself KMS-encrypted. Also catches the rule S3 rejects
 * at deploy: KMS objects selected without a replica key.
 */
export const S3ReplicaKmsEncrypted: S3EncryptionRule = {
  id: 'S3ReplicaKmsEncrypted',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The KMS-encrypted S3 bucket replicates without KMS-encrypting its replicas (or skips its KMS-encrypted objects).',
  explanation: 'Without SseKmsEncryptedObjects, S3 silently does not replicate SSE-KMS objects; without ReplicaKmsKeyID the rule is rejected or replicas lose their KMS protection. '
    + 'Set both on every enabled replication rule, with a KMS key in the destination Region, and encrypt the destination bucket with KMS (ReplicatedEncryptedBucket does).',
  check(bucket, { index }) {
    const rules = replicationRules(bucket.properties).filter((r) => renderCfnString(field(r, 'Status'), bucket.ctx) !== 'Disabled');
    if (rules.length === 0) return undefined;
    const sourceAlgorithm = defaultEncryptionOf(bucket).sseAlgorithm;
    const sourceIsKms = sourceAlgorithm !== undefined && KMS_FAMILY.includes(sourceAlgorithm);
    const problems: string[] = [];
    rules.forEach((rule, i) => {
      const name = renderCfnString(field(rule, 'Id'), bucket.ctx) ?? `#${i}`;
      const selectsKms = renderCfnString(pathOf(rule, 'SourceSelectionCriteria', 'SseKmsEncryptedObjects', 'Status'), bucket.ctx) === 'Enabled';
      const replicaKey = pathOf(rule, 'Destination', 'EncryptionConfiguration', 'ReplicaKmsKeyID');
      const replicaKeyId = replicaKey === undefined ? undefined : renderCfnString(replicaKey, bucket.ctx);
      if (selectsKms && replicaKey === undefined) {
        problems.push(`replication rule ${name} selects SSE-KMS objects but sets no ReplicaKmsKeyID (S3 rejects this rule).`);
      } else if (sourceIsKms && replicaKey === undefined) {
        problems.push(`replication rule ${name} sets no ReplicaKmsKeyID, so replicas are not encrypted with a KMS key of your choice.`);
      }
      if (sourceIsKms && !selectsKms) {
        problems.push(`replication rule ${name} does not enable SourceSelectionCriteria.SseKmsEncryptedObjects, so this bucket's ${sourceAlgorithm} objects are not replicated.`);
      }
      const destinationArn = renderCfnString(pathOf(rule, 'Destination', 'Bucket'), bucket.ctx);
      const destination = destinationArn === undefined ? undefined : index.findBucket(destinationArn);
      if (sourceIsKms && destination) {
        const destinationAlgorithm = defaultEncryptionOf(destination).sseAlgorithm;
        if (destinationAlgorithm === undefined || !KMS_FAMILY.includes(destinationAlgorithm)) {
          problems.push(`replication rule ${name} replicates into ${displayPath(destination.construct)}, whose default encryption is ${destinationAlgorithm ?? 'not set'}, not KMS.`);
        }
      }
      // The Region written in the key ARN wins: a multi-Region replica's ARN (KmsReplicaKey.replicaArnOf)
      // carries its primary's key id, which the index would otherwise resolve to the primary's stack.
      const arnRegion = replicaKeyId === undefined ? undefined : /^arn:[^:]+:kms:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(replicaKeyId)?.[1];
      const replicaKeyResource = replicaKeyId === undefined || arnRegion ? undefined : index.findKey(replicaKeyId);
      const keyRegion = arnRegion ?? (replicaKeyResource && !Token.isUnresolved(replicaKeyResource.stack.region) ? replicaKeyResource.stack.region : undefined);
      const destinationRegion = destination && !Token.isUnresolved(destination.stack.region) ? destination.stack.region : undefined;
      if (keyRegion && destinationRegion && keyRegion !== destinationRegion) {
        problems.push(`replication rule ${name} encrypts replicas with a key in ${keyRegion}, but the destination bucket is in ${destinationRegion}; S3 needs a key in the destination's Region.`);
      }
    });
    return problems;
  },
};
