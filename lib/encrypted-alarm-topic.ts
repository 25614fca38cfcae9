import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { KmsKeyWithRotation, type KmsKeyWithRotationProps } from './kms-key-with-rotation';
import { allowCloudWatchAlarmsToPublishStatement, allowCloudWatchAlarmsToUseTopicKeyStatement } from './private/audit-policy-statements';

/** Props of {@link EncryptedAlarmTopic}. */
export interface EncryptedAlarmTopicProps {
  /**
   * The topic's display name (shown in e-mail notifications).
   * @default - none
   */
  readonly displayName?: string;

  /**
   * Settings of the rotating key that encrypts the topic.
   * @default - KmsKeyWithRotation defaults
   */
  readonly encryptionKeyProps?: KmsKeyWithRotationProps;
}

/**
 * An SNS topic for CloudWatch alarm notifications, encrypted under a rotating customer-managed key
 * (the AWS-managed `aws/sns` key cannot let CloudWatch publish), whose policy refuses publishing over
 * plain HTTP (cdk-nag AwsSolutions-SNS3) and lets only this account's alarms in this Region publish.
 * Subscribe your endpoints to `topic`.
 */
export class EncryptedAlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic's messages. */
  public readonly encryptionKey: KmsKeyWithRotation;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings (all optional)
   */
  constructor(scope: Construct, id: string, props: EncryptedAlarmTopicProps = {}) {
    super(scope, id);
    this.encryptionKey = new KmsKeyWithRotation(this, 'Key', {
      description: `Encrypts the alarm notifications of ${this.node.path}`,
      ...props.encryptionKeyProps,
    });
    this.encryptionKey.addToResourcePolicy(allowCloudWatchAlarmsToUseTopicKeyStatement());
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.topic.addToResourcePolicy(allowCloudWatchAlarmsToPublishStatement(this.topic.topicArn, alarms));
  }
}
