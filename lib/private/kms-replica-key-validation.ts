import { Token } from 'aws-cdk-lib';
import { type PropProblem } from './construct-prop-error';
import { validatePendingWindow } from './kms-key-with-rotation-validation';
import { type KmsReplicaKeyProps } from '../kms-replica-key';

/** Checks the replica key's props. Pure: returns problems, throws nothing. */
export function validateReplicaKeySettings(props: KmsReplicaKeyProps, stackRegion?: string): PropProblem[] {
  const problems: PropProblem[] = [];
  if (!Token.isUnresolved(props.primaryKeyArn)) {
    const match = /^arn:[a-z-]+:kms:([a-z0-9-]+):\d{12}:key\/(.+)$/.exec(props.primaryKeyArn);
    if (!match) {
      problems.push({
        prop: 'primaryKeyArn',
        problem: `'${props.primaryKeyArn}' is not a KMS key ARN.`,
        fix: 'pass the full ARN of the primary key (arn:aws:kms:<region>:<account>:key/mrk-...).',
      });
    } else {
      const [, region, keyId] = match;
      if (!keyId.startsWith('mrk-')) {
        problems.push({
          prop: 'primaryKeyArn',
          problem: `key ${keyId} is not a multi-Region key (multi-Region key ids start with mrk-).`,
          fix: 'replicate a key created with multiRegion: true, or use an independent key in this Region.',
        });
      }
      if (stackRegion && region === stackRegion) {
        problems.push({
          prop: 'primaryKeyArn',
          problem: `the primary key is in ${region}, this stack's Region; a replica must be in another Region.`,
          fix: 'create the replica key in a stack of the destination Region, or use the primary key directly here.',
        });
      }
    }
  }
  problems.push(...validatePendingWindow(props.pendingWindow));
  return problems;
}
