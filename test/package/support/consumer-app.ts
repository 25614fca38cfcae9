/**
 * The one CDK app every consumer of the matrix runs: TypeScript (nodenext and commonjs), ESM `.mjs` and
 * CommonJS `.js` get the same body, only their import lines differ. When the public API changes, update
 * the imports and the body here; the test derives everything else (which constructs must be
 * synthesized comes from the package's own exports).
 *
 * The body must stay valid JavaScript AND strict TypeScript without annotations: the TypeScript
 * consumers type-check it against the packages' declarations.
 */

/** One import of the consumer apps: named bindings, or a namespace. */
interface ConsumerImport {
  readonly from: string;
  readonly names?: string[];
  readonly namespace?: string;
}

/** What the app imports, from both of our packages and from the peers a CDK app has anyway. */
export const CONSUMER_IMPORTS: ConsumerImport[] = [
  { from: 'node:crypto', names: ['randomBytes'] },
  { from: 'aws-cdk-lib', names: ['App', 'Stack', 'Validations'] },
  { from: 'aws-cdk-lib/aws-s3', namespace: 's3' },
  { from: 'aws-cdk-lib/aws-secretsmanager', namespace: 'secretsmanager' },
  {
    from: 's3-encryption-constructs',
    names: [
      'BucketEncryptionMode', 'ClientSideKeyRotation', 'EncryptedBucket', 'EncryptedBucketProfile', 'EncryptionAudit', 'EncryptionGuardrails',
      'GuardrailMode', 'KeyEncryptionKey', 'KmsKeyWithRotation', 'KmsReplicaKey', 'ReplicaTarget', 'ReplicatedEncryptedBucket',
      'ReplicationDestination', 'S3EncryptionChecks', 'SseCKeyRotation', 'EncryptedAlarmTopic', 'KmsRequestRateAlarm',
    ],
  },
  { from: 's3-encryption-runtime', names: ['ClientSideEncryption', 'RawAesKeyring'] },
];

/** Stacks of the app, and the places the test looks for each feature. */
export const CONSUMER_STACKS = {
  /** Keys, buckets in every mode and profile, both replications, both rotation constructs. */
  primary: 'ConsumerPrimary',
  /** The cross-Region side: KmsReplicaKey and ReplicationDestination. */
  replica: 'ConsumerReplica',
  /** A plain `s3.Bucket` under `EncryptionGuardrails` in REMEDIATE mode. */
  legacy: 'ConsumerLegacy',
} as const;

/** Output directories (relative to the consumer folder). */
export const CONSUMER_OUTDIR = 'cdk.out';
/** The second, deliberately non-compliant app: proves the pack reports findings in the consumer. */
export const UNGUARDED_OUTDIR = 'cdk.out.unguarded';
/** Names the app gives things the test looks up. */
export const REPLICA_BUCKET_NAME = 'consumer-replica-111111111111-eu-central-1';

/** The app body. Prints one JSON line: what it built and what the runtime round trip did. */
const APP_BODY = `
const ACCOUNT = '111111111111';
const PRIMARY = { account: ACCOUNT, region: 'eu-west-1' };
const REPLICA = { account: ACCOUNT, region: 'eu-central-1' };
const REPLICATION_ROLE = 'consumer-data-replication';

const app = new App({ outdir: '${CONSUMER_OUTDIR}' });
// The pack holds every bucket and key of the app; nothing is acknowledged, so all of it must pass.
Validations.of(app).addPlugins(new S3EncryptionChecks(app, { minimumEncryption: BucketEncryptionMode.SSE_S3 }));

// The replica Region: a replica of a multi-Region key, and the bucket replicas go to.
const replica = new Stack(app, '${CONSUMER_STACKS.replica}', { env: REPLICA });
const replicaKey = new KmsReplicaKey(replica, 'ReplicaKey', {
  primaryKeyArn: 'arn:aws:kms:' + PRIMARY.region + ':' + ACCOUNT + ':key/mrk-1234abcd12ab34cd56ef1234567890ab',
});
const destination = new ReplicationDestination(replica, 'Destination', {
  bucketName: '${REPLICA_BUCKET_NAME}',
  encryptionKey: replicaKey,
  source: { account: ACCOUNT, replicationRoleName: REPLICATION_ROLE },
});

const primary = new Stack(app, '${CONSUMER_STACKS.primary}', { env: PRIMARY });
const dataKey = new KmsKeyWithRotation(primary, 'DataKey', { alias: 'consumer/data' });
const accessLogs = new EncryptedBucket(primary, 'AccessLogs', { encryption: BucketEncryptionMode.SSE_S3 });
const sseKms = new EncryptedBucket(primary, 'SseKms', {
  encryption: BucketEncryptionMode.SSE_KMS, encryptionKey: dataKey, serverAccessLogsBucket: accessLogs.bucket,
});
new EncryptedBucket(primary, 'DsseKms', { encryption: BucketEncryptionMode.DSSE_KMS });
new EncryptedBucket(primary, 'GeneralPurpose', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
new EncryptedBucket(primary, 'Regulated', { profile: EncryptedBucketProfile.REGULATED, serverAccessLogsBucket: accessLogs.bucket });
new EncryptedBucket(primary, 'Strict', { profile: EncryptedBucketProfile.STRICT, serverAccessLogsBucket: accessLogs.bucket });
const archive = new EncryptedBucket(primary, 'Archive', { encryptionKey: dataKey });
new ReplicatedEncryptedBucket(primary, 'ToArchive', { source: sseKms, rules: [{ destination: ReplicaTarget.encryptedBucket(archive) }] });
new ReplicatedEncryptedBucket(primary, 'ToReplicaRegion', {
  encryptionKey: dataKey,
  replicationRoleName: REPLICATION_ROLE,
  rules: [{ destination: ReplicaTarget.fromAttributes(destination.replicaTargetAttributes()) }],
});
const sseCObjects = new EncryptedBucket(primary, 'SseCObjects', { sseC: {} });
new SseCKeyRotation(primary, 'SseCRotation', { bucket: sseCObjects, keySecret: new secretsmanager.Secret(primary, 'SseCKey') });
const clientSideObjects = new EncryptedBucket(primary, 'ClientSideObjects');
new ClientSideKeyRotation(primary, 'ClientSideRotation', {
  bucket: clientSideObjects.bucket,
  fromKeys: [KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(primary, 'OldKek'))],
  toKey: KeyEncryptionKey.fromSecret(new secretsmanager.Secret(primary, 'NewKek')),
});

// The audit trail of the SSE-KMS bucket, and a KMS request-rate alarm to an operations topic.
new EncryptionAudit(primary, 'Audit', { buckets: [sseKms.bucket], kmsKeys: [dataKey] });
const opsTopic = new EncryptedAlarmTopic(primary, 'OpsTopic');
new KmsRequestRateAlarm(primary, 'KmsRate', { thresholdPercent: 70, alarmTopic: opsTopic.topic });

// A bucket written without this library, fixed by the Aspect.
const legacy = new Stack(app, '${CONSUMER_STACKS.legacy}', { env: PRIMARY });
new s3.Bucket(legacy, 'Plain');
EncryptionGuardrails.of(legacy, { mode: GuardrailMode.REMEDIATE });

app.synth();
const constructClasses = Array.from(new Set(app.node.findAll().map((c) => c.constructor.name))).sort();

// The same pack on an app it must reject: a plain bucket nobody remediates.
const unguarded = new App({ outdir: '${UNGUARDED_OUTDIR}' });
Validations.of(unguarded).addPlugins(new S3EncryptionChecks(unguarded));
new s3.Bucket(new Stack(unguarded, 'Unguarded', { env: PRIMARY }), 'Plain');
let unguardedSynth = 'succeeded';
try {
  unguarded.synth();
} catch (error) {
  unguardedSynth = 'failed: ' + String(error).split('\\n')[0];
}

async function clientSideRoundTrip() {
  const cse = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: randomBytes(32) }) });
  const plaintext = randomBytes(4096);
  const sealed = await cse.encrypt(plaintext);
  const opened = await cse.decrypt(sealed);
  const tampered = Buffer.from(sealed.body);
  tampered[100] ^= 1;
  const refusal = await cse.decrypt({ body: tampered, metadata: sealed.metadata }).then(() => 'accepted', (error) => error.name);
  return { equal: opened.equals(plaintext), ciphertextDiffers: !Buffer.from(sealed.body).includes(plaintext.subarray(0, 64)), tampered: refusal };
}

clientSideRoundTrip().then((roundTrip) => {
  process.stdout.write(JSON.stringify({ constructClasses, unguardedSynth, roundTrip }) + '\\n');
}, (error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\\n');
  process.exitCode = 1;
});
`;

/** The app's source for one module syntax: the shared imports as ESM `import`s or CommonJS `require`s, then the body. */
export function consumerAppSource(syntax: 'esm' | 'cjs'): string {
  const lines = CONSUMER_IMPORTS.map((i) => {
    const bindings = i.namespace ?? `{ ${i.names!.join(', ')} }`;
    if (syntax === 'cjs') return `const ${bindings} = require('${i.from}');`;
    return i.namespace ? `import * as ${i.namespace} from '${i.from}';` : `import ${bindings} from '${i.from}';`;
  });
  return `${syntax === 'cjs' ? "'use strict';\n" : ''}${lines.join('\n')}\n${APP_BODY}`;
}
