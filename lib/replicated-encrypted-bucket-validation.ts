import { PropProblem } from './construct-prop-error';

/** What validation needs to know about the source bucket, already resolved to plain values. */
export interface ReplicationSourceFacts {
  /** Whether versioning is on. */
  readonly versioned: boolean;
  /** The encryption mode's name (`SSE_S3`, `SSE_KMS`, `DSSE_KMS`). */
  readonly encryptionName: string;
  /** Whether objects are encrypted under a KMS key. */
  readonly usesKms: boolean;
  /** Whether the source accepts SSE-C uploads (custodian roles). */
  readonly sseCAllowed: boolean;
  /** Whether the source uses Object Lock. */
  readonly objectLockEnabled: boolean;
  /** The source's account, when known. */
  readonly account?: string;
  /** Whether an existing bucket (`source`) and settings for a new one were both passed. */
  readonly sourceAndBucketSettingsGiven: boolean;
  /** Names of the bucket settings passed alongside `source`. */
  readonly ignoredBucketSettings?: readonly string[];
  /** The explicit replication role name, if any. */
  readonly replicationRoleName?: string;
}

/** What validation can see of a rule and its destination. */
export interface ReplicationRuleFacts {
  readonly priority?: number;
  readonly prefix?: string;
  readonly tagFilterCount: number;
  readonly deleteMarkerReplication: boolean;
  readonly replicationTimeControl: boolean;
  /** Explicit metrics setting; undefined means "default". */
  readonly metrics?: boolean;
  readonly ownershipOverride: boolean;
  readonly destination: ReplicationDestinationFacts;
}

/** What can be known about a destination at synth time. Undefined means "cannot see". */
export interface ReplicationDestinationFacts {
  /** How to name it in messages. */
  readonly description: string;
  /** The destination's account, when known. */
  readonly account?: string;
  /** The destination's Region, when known. */
  readonly region?: string;
  /** Whether its versioning is on, when visible. */
  readonly versioned?: boolean;
  /** Whether it uses Object Lock, when visible. */
  readonly objectLockEnabled?: boolean;
  /** Whether it blocks SSE-C writes, when visible. */
  readonly blocksSseC?: boolean;
  /** Whether a replica KMS key is known (ARN, alias or key object). */
  readonly hasReplicaKey: boolean;
  /** Whether the replica key is only known by alias (its ARN is not). */
  readonly replicaKeyByAliasOnly: boolean;
  /** The replica key's Region, when known. */
  readonly replicaKeyRegion?: string;
  /** The destination is the source bucket itself. */
  readonly isSource: boolean;
  /** The destination is, in this same stack, a replication source whose rules point back at our source. */
  readonly replicatesBackInSameStack: boolean;
  /** The role name the destination's policies grant, when it says. */
  readonly expectedRoleName?: string;
  /** Account and Region are concrete strings (not tokens) where they must be. */
  readonly tokensWhereValuesRequired?: readonly string[];
}

/** Everything `validateReplicationSettings` checks. */
export interface ReplicationSettings {
  readonly source: ReplicationSourceFacts;
  readonly rules: readonly ReplicationRuleFacts[];
}

const TWO_STACK_PATTERN = 'CloudFormation cannot create two buckets that each name the other in one template (a circular dependency), '
  + 'and S3 rejects a rule whose destination does not exist yet. Put each bucket in its own stack, give both deterministic names '
  + '(no cross-stack references), and add the rules in two deployments: first both stacks with one direction, then the way back '
  + '(replicaModifications: true on both rules keeps metadata in sync).';

/** Checks a replication setup. Pure: returns problems, throws nothing. */
export function validateReplicationSettings(s: ReplicationSettings): PropProblem[] {
  const problems: PropProblem[] = [];
  const { source, rules } = s;
  if (source.sourceAndBucketSettingsGiven) {
    problems.push({
      prop: 'source',
      problem: `an existing source bucket was passed together with settings for a new one (${(source.ignoredBucketSettings ?? []).join(', ')}), which would be ignored.`,
      fix: 'configure the existing EncryptedBucket where it is created, or drop source to let this construct create the bucket.',
    });
  }
  if (rules.length === 0) {
    problems.push({
      prop: 'rules',
      problem: 'no replication rule was given.',
      fix: 'pass at least one rule, e.g. rules: [{ destination: ReplicaTarget.newEncryptedBucket() }].',
    });
  }
  if (!source.versioned) {
    problems.push({
      prop: 'versioned',
      problem: 'S3 replicates object versions, so the source bucket must be versioned.',
      fix: 'remove versioned: false (EncryptedBucket is versioned by default).',
    });
  }
  if (rules.length > 1) {
    rules.forEach((rule, i) => {
      if (rule.priority === undefined) {
        problems.push({
          prop: `rules[${i}].priority`,
          problem: `there are ${rules.length} rules and this one has no priority; S3 needs one per rule to decide which wins when filters overlap.`,
          fix: 'give every rule a distinct priority (a higher number wins).',
        });
      }
    });
    const seen = new Map<number, number>();
    rules.forEach((rule, i) => {
      if (rule.priority === undefined) return;
      const first = seen.get(rule.priority);
      if (first !== undefined) {
        problems.push({
          prop: `rules[${i}].priority`,
          problem: `priority ${rule.priority} is also used by rules[${first}]; S3 requires distinct priorities.`,
          fix: 'give every rule a distinct priority.',
        });
      } else {
        seen.set(rule.priority, i);
      }
    });
  }
  rules.forEach((rule, i) => problems.push(...validateRule(source, rule, i)));
  return problems;
}

function validateRule(source: ReplicationSourceFacts, rule: ReplicationRuleFacts, i: number): PropProblem[] {
  const problems: PropProblem[] = [];
  const d = rule.destination;
  const at = `rules[${i}]`;
  for (const name of d.tokensWhereValuesRequired ?? []) {
    problems.push({
      prop: `${at}.destination`,
      problem: `the destination's ${name} is an unresolved token; a token from another stack is a cross-stack reference (and across Regions not allowed).`,
      fix: `pass the ${name} as a plain string (ReplicationDestination.replicaTargetAttributes() gives plain values).`,
    });
  }
  if (d.isSource) {
    problems.push({
      prop: `${at}.destination`,
      problem: 'the destination is the source bucket itself.',
      fix: 'replicate into another bucket.',
    });
  }
  if (d.replicatesBackInSameStack) {
    problems.push({
      prop: `${at}.destination`,
      problem: `${d.description} already replicates into this source in the same stack: two-way replication in one stack is a CloudFormation circular dependency.`,
      fix: TWO_STACK_PATTERN,
    });
  }
  if (d.versioned === false) {
    problems.push({
      prop: `${at}.destination`,
      problem: `${d.description} is not versioned; S3 only replicates into versioned buckets (PutBucketReplication fails).`,
      fix: 'turn versioning on in the destination (EncryptedBucket is versioned by default).',
    });
  }
  if (source.usesKms && !d.hasReplicaKey) {
    problems.push({
      prop: `${at}.destination`,
      problem: `the source uses ${source.encryptionName}, but ${d.description} has no replica KMS key: S3 only replicates KMS-encrypted objects with SseKmsEncryptedObjects and a ReplicaKmsKeyID, and silently skips them otherwise.`,
      fix: 'replicate into a KMS-encrypted bucket (EncryptedBucket with SSE_KMS or DSSE_KMS), pass replicaKey in the rule, or give replicaKeyArn / replicaKeyAlias in the target attributes.',
    });
  }
  if (d.replicaKeyRegion && d.region && d.replicaKeyRegion !== d.region) {
    problems.push({
      prop: `${at}.replicaKey`,
      problem: `the replica key is in ${d.replicaKeyRegion} but ${d.description} is in ${d.region}; S3 only encrypts replicas with a key in the destination's Region.`,
      fix: `use a key in ${d.region} (for a multi-Region key, its replica there: KmsReplicaKey.replicaArnOf(primaryKey, '${d.region}')).`,
    });
  }
  const crossAccount = source.account !== undefined && d.account !== undefined && source.account !== d.account;
  if (crossAccount && source.usesKms && d.replicaKeyByAliasOnly) {
    problems.push({
      prop: `${at}.destination`,
      problem: `${d.description} is in account ${d.account} and its replica key is only known by alias; across accounts KMS needs the role's own policy to name the key by ARN.`,
      fix: 'pass replicaKeyArn in the target attributes (the destination stack outputs it as ReplicaKeyArn).',
    });
  }
  if (d.replicaKeyByAliasOnly && source.replicationRoleName === undefined && d.expectedRoleName === undefined) {
    problems.push({
      prop: 'replicationRoleName',
      problem: `the replica key of ${d.description} is only known by alias, so its key policy must grant this role by name, but the role's name is generated.`,
      fix: 'set replicationRoleName and grant that role in the destination\'s key policy (ReplicationDestination does: use its replicaTargetAttributes()).',
    });
  }
  if (rule.ownershipOverride && source.account !== undefined && d.account !== undefined && !crossAccount) {
    problems.push({
      prop: `${at}.ownershipOverride`,
      problem: 'owner override hands replicas to the destination account, but both buckets are in the same account (S3 would still apply it and stop replicating ACL changes).',
      fix: 'remove ownershipOverride; it is for destinations in another account.',
    });
  }
  if (rule.ownershipOverride && d.account === undefined) {
    problems.push({
      prop: `${at}.ownershipOverride`,
      problem: 'owner override needs the destination account (AccessControlTranslation requires Account), which is unknown.',
      fix: 'give the destination account in the target attributes.',
    });
  }
  if (rule.replicationTimeControl && rule.metrics === false) {
    problems.push({
      prop: `${at}.metrics`,
      problem: 'S3 Replication Time Control requires replication metrics (S3 rejects ReplicationTime without Metrics).',
      fix: 'remove metrics: false (metrics are turned on with replicationTimeControl).',
    });
  }
  if (rule.deleteMarkerReplication && rule.tagFilterCount > 0) {
    problems.push({
      prop: `${at}.deleteMarkerReplication`,
      problem: 'S3 does not replicate delete markers for rules that filter on tags.',
      fix: 'remove the tag filter, or turn delete-marker replication off for this rule.',
    });
  }
  if (rule.prefix !== undefined && /[*?]/.test(rule.prefix)) {
    problems.push({
      prop: `${at}.prefix`,
      problem: `'${rule.prefix}' contains a wildcard; S3 replication filters match a literal key prefix.`,
      fix: 'use a literal prefix such as "logs/".',
    });
  }
  if (source.objectLockEnabled && d.objectLockEnabled === false) {
    problems.push({
      prop: `${at}.destination`,
      problem: `the source uses Object Lock but ${d.description} does not; S3 requires Object Lock on the destinations of a locked source (replicas carry their retention).`,
      fix: 'create the destination with objectLockEnabled: true.',
    });
  }
  if (source.sseCAllowed && d.blocksSseC === true) {
    problems.push({
      prop: `${at}.destination`,
      problem: `the source accepts SSE-C objects, which replicate as SSE-C, but ${d.description} blocks SSE-C: every SSE-C replica would fail with 403 AccessDenied.`,
      fix: 'create the destination with sseC: { allowedRoles: [...] } (its bucket policy still denies SSE-C uploads by anyone else), or stop allowing SSE-C on the source.',
    });
  }
  if (d.expectedRoleName !== undefined && source.replicationRoleName === undefined) {
    problems.push({
      prop: 'replicationRoleName',
      problem: `${d.description} grants the role '${d.expectedRoleName}', but this construct's role name is generated (the rule was added after the role was created).`,
      fix: `pass replicationRoleName: '${d.expectedRoleName}' when creating the ReplicatedEncryptedBucket.`,
    });
  }
  if (d.expectedRoleName !== undefined && source.replicationRoleName !== undefined && d.expectedRoleName !== source.replicationRoleName) {
    problems.push({
      prop: 'replicationRoleName',
      problem: `${d.description} grants the role '${d.expectedRoleName}', but this construct's role is '${source.replicationRoleName}'.`,
      fix: `use replicationRoleName: '${d.expectedRoleName}', or change the destination's source.replicationRoleName.`,
    });
  }
  return problems;
}
