import { type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { type BatchOperationsJobOptions, KmsKeyWithRotation } from '../../lib';

/**
 * The job options the compliance packs ask a Lambda function for (in a VPC, reserved concurrency,
 * an encrypted log group), in a VPC imported by attributes so that the VPC itself is not under test.
 */
export function compliantJobOptions(stack: Stack): BatchOperationsJobOptions {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
  return {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    reservedConcurrentExecutions: 10,
    logEncryptionKey: new KmsKeyWithRotation(stack, 'LogKey'),
  };
}
