// Unit tests synthesize many small apps: aws-cdk-lib's built-in CloudFormation validation
// costs ~1.6 s per test file and checks nothing of ours, so it is off here. The golden-path
// synth (`npx cdk synth`) keeps it on.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
process.env.CDK_DISABLE_VERSION_CHECK = '1';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
