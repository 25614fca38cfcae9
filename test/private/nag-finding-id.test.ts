import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { rules } from 'cdk-nag';
import { iam5ResourceFindingId, nagFindingSpelling } from '../../lib/private/nag-finding-id';

/**
 * The local spelling of CloudFormation values in cdk-nag finding ids must be exactly cdk-nag's, or
 * an acknowledgement silently misses its finding. Checked against the ids cdk-nag's own
 * AwsSolutions-IAM5 rule reports for wildcard resources of every shape the constructs produce.
 */
test.each<[string, (stack: Stack) => string]>([
  ['GetAtt joined with a suffix', (stack) => new s3.Bucket(stack, 'B').arnForObjects('reports/*')],
  ['partition Ref inside a Join', (stack) => `arn:${stack.partition}:s3:::literal-bucket/*`],
  ['Ref of a resource', (stack) => `arn:aws:s3:::${new s3.CfnBucket(stack, 'C').ref}/*`],
  ['a plain string', () => 'arn:aws:s3:::plain/*'],
  ['region and account pseudo parameters', (stack) => stack.formatArn({ service: 's3', resource: 'job', resourceName: '*' })],
])('%s: the id cdk-nag reports', (_name, resourceOf) => {
  const stack = new Stack(new App(), 'Spelling');
  const resource = resourceOf(stack);
  const policy = new iam.ManagedPolicy(stack, 'P', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [resource] })] });
  const reported = rules.iam.IAMNoWildcardPermissions(policy.node.defaultChild as iam.CfnManagedPolicy);
  expect(reported).toEqual([iam5ResourceFindingId(stack.resolve(resource)).replace(/^AwsSolutions-IAM5\[(.*)\]$/, '$1')]);
});

test('Fn::Sub placeholders become angle brackets; unknown shapes are JSON', () => {
  expect(nagFindingSpelling({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' })).toBe('arn:<AWS::Partition>:s3:::b/*');
  expect(nagFindingSpelling({ 'Fn::Select': [0, ['a']] })).toBe('{"Fn::Select":[0,["a"]]}');
});
