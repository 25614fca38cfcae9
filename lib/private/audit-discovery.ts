import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type IConstruct } from 'constructs';
import { EncryptedBucket } from '../encrypted-bucket';
import { KmsKeyWithRotation } from '../kms-key-with-rotation';
import { KmsReplicaKey } from '../kms-replica-key';
import { type KeyMatch, type PatternValue } from './audit-filter-patterns';

/** A concrete Region, or undefined for a token (an environment-agnostic stack). */
export function concreteRegion(region: string | undefined): string | undefined {
  return region && !Token.isUnresolved(region) ? region : undefined;
}

/** Every EncryptedBucket in the app, in tree order. */
export function encryptedBucketsIn(root: IConstruct): EncryptedBucket[] {
  return root.node.findAll().filter((c): c is EncryptedBucket => c instanceof EncryptedBucket);
}

/** Every key the library created in the app: KmsKeyWithRotation and KmsReplicaKey. */
export function libraryKeysIn(root: IConstruct): kms.IKey[] {
  return root.node.findAll().filter((c): c is KmsKeyWithRotation | KmsReplicaKey => c instanceof KmsKeyWithRotation || c instanceof KmsReplicaKey);
}

/** The first stack (in tree order) of each concrete Region that holds a KMS key (AWS::KMS::Key or AWS::KMS::ReplicaKey). */
export function stacksWithKeysByRegion(root: IConstruct): Map<string, Stack> {
  const byRegion = new Map<string, Stack>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof kms.CfnKey || c instanceof kms.CfnReplicaKey)) continue;
    const stack = Stack.of(c);
    const region = concreteRegion(stack.region);
    if (region && !byRegion.has(region)) byRegion.set(region, stack);
  }
  return byRegion;
}

/** The concrete Regions of every stack in the app. */
export function appRegions(root: IConstruct): Set<string> {
  const regions = new Set<string>();
  for (const c of root.node.findAll()) {
    if (Stack.isStack(c)) {
      const region = concreteRegion(c.region);
      if (region) regions.add(region);
    }
  }
  return regions;
}

/** Whether a token of `from`'s stack can be used in `to`'s stack: same stack, or CDK can export it (same concrete account and Region). */
export function referenceable(from: IConstruct, to: Stack): boolean {
  const source = Stack.of(from);
  if (source === to) return true;
  const known = (s: string) => !Token.isUnresolved(s);
  return known(source.account) && known(source.region) && source.account === to.account && source.region === to.region;
}

/** The name to put in a filter pattern or selector for `bucket`, or undefined when the audit's stack cannot refer to it. */
export function bucketNameFrom(bucket: s3.IBucket, auditStack: Stack): PatternValue | undefined {
  if (!Token.isUnresolved(bucket.bucketName)) return { text: bucket.bucketName, maxLength: bucket.bucketName.length };
  // A bucket defined in this app with a physical name: CDK hands that name to other environments.
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof s3.CfnBucket && typeof cfn.bucketName === 'string' && !Token.isUnresolved(cfn.bucketName)) {
    return { text: cfn.bucketName, maxLength: cfn.bucketName.length };
  }
  // S3 bucket names are at most 63 characters ("Bucket naming rules").
  return referenceable(bucket, auditStack) ? { text: bucket.bucketName, maxLength: 63 } : undefined;
}

/** The Region of a bucket, when known. */
export function bucketRegion(bucket: s3.IBucket): string | undefined {
  return concreteRegion(bucket.env.region) ?? concreteRegion(Stack.of(bucket).region);
}

/**
 * How the KMS AccessDenied pattern recognises `key` from the audit's stack: by key id when the
 * audit's stack can refer to it (or it is a concrete ARN), otherwise by the account-and-Region ARN
 * prefix of its stack (every key there), or undefined when even its Region is unknown.
 */
export function keyMatchFor(key: kms.IKey, auditStack: Stack): KeyMatch | undefined {
  if (!Token.isUnresolved(key.keyArn)) {
    const id = Arn.split(key.keyArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    return { kind: 'keyId', keyId: { text: id, maxLength: id.length } };
  }
  // Key ids: a UUID (36 characters) or a multi-Region "mrk-" id (36 characters).
  if (referenceable(key, auditStack)) return { kind: 'keyId', keyId: { text: key.keyId, maxLength: 36 } };
  const stack = Stack.of(key);
  const region = concreteRegion(stack.region);
  if (!region) return undefined;
  const account = Token.isUnresolved(stack.account) ? auditStack.account : stack.account;
  const prefix = `arn:${auditStack.partition}:kms:${region}:${account}:key/`;
  return { kind: 'keyArnPrefix', prefix: { text: prefix, maxLength: Token.isUnresolved(prefix) ? 80 : prefix.length } };
}
