import * as fs from 'node:fs';
import * as path from 'node:path';
import { type App, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R4Checks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { EncryptedBucket, EncryptedBucketProfile, EncryptionGuardrails, GuardrailMode, S3EncryptionChecks } from '../../lib';
import { evaluateRules, fullRuleId, ruleContext } from '../../lib/guardrails/rule-evaluation';
import { TemplateIndex } from '../../lib/guardrails/template-index';
import { CONTROL_TOWER_RULES, ENV, controlTowerS3AndKmsValidator, newAppWithOutdir } from './support';

/**
 * Proves the control map in README.md (`<!-- control-map:begin -->` ... `end`): for every cell,
 * every check of its row runs against that column's bucket, and the outcome must be the one the
 * cell claims. ✅ also requires that each check had something to check; n/a that none did.
 */
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

interface MapRow { readonly control: string; readonly checks: string[]; readonly cells: Record<string, string> }

function controlMap(): { columns: string[]; rows: MapRow[] } {
  const table = README.split('<!-- control-map:begin -->')[1]?.split('<!-- control-map:end -->')[0];
  if (!table) throw new Error('README.md has no control map');
  const lines = table.trim().split('\n').filter((l) => l.startsWith('|'));
  const cellsOf = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
  const [header, , ...body] = lines;
  const columns = cellsOf(header).slice(2);
  const rows = body.map((line) => {
    const [control, checks, ...cells] = cellsOf(line);
    return {
      control,
      checks: [...checks.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      // A cell is its symbol, optionally followed by a parenthesized note.
      cells: Object.fromEntries(columns.map((c, i) => [c, cells[i]?.replace(/\s*\(.*\)$/, '')])),
    };
  });
  return { columns, rows };
}

/** The log bucket of the profiles that need one: SSE-S3, the only encryption server access logging supports. */
const logBucket = (s: Stack) => new EncryptedBucket(s, 'Logs', { profile: EncryptedBucketProfile.GENERAL_PURPOSE }).bucket;

/** Each column's app: the bucket under test is always the construct `Map/Data`. */
const CONFIGURATIONS: Record<string, (stack: Stack, app: App) => void> = {
  '`EncryptedBucket` defaults': (s) => { new EncryptedBucket(s, 'Data'); },
  '`GENERAL_PURPOSE`': (s) => { new EncryptedBucket(s, 'Data', { profile: EncryptedBucketProfile.GENERAL_PURPOSE }); },
  '`REGULATED`': (s) => { new EncryptedBucket(s, 'Data', { profile: EncryptedBucketProfile.REGULATED, serverAccessLogsBucket: logBucket(s) }); },
  '`REGULATED` + Object Lock': (s) => {
    new EncryptedBucket(s, 'Data', { profile: EncryptedBucketProfile.REGULATED, objectLockEnabled: true, serverAccessLogsBucket: logBucket(s) });
  },
  '`STRICT`': (s) => { new EncryptedBucket(s, 'Data', { profile: EncryptedBucketProfile.STRICT, serverAccessLogsBucket: logBucket(s) }); },
  'plain `s3.Bucket()` + `REMEDIATE`': (s, app) => { new s3.Bucket(s, 'Data'); EncryptionGuardrails.of(app, { mode: GuardrailMode.REMEDIATE }); },
  'server access log bucket: plain `s3.Bucket()` + `REMEDIATE`': (s, app) => {
    s.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true); // logging.s3.amazonaws.com in the bucket policy, not the legacy ACL
    const data = new s3.Bucket(s, 'Data');
    new s3.Bucket(s, 'Source', { serverAccessLogsBucket: data });
    EncryptionGuardrails.of(app, { mode: GuardrailMode.REMEDIATE });
  },
  'plain `s3.Bucket()`': (s) => { new s3.Bucket(s, 'Data'); },
};

const KEY = 'AWS::KMS::Key';
/** The resource type a check evaluates (our rules report applicability themselves). */
function checkedType(check: string): string {
  if (/KMS|Kms|Key/.test(check) && !check.includes('S3DefaultEncryptionKMS')) return KEY;
  if (check === 'CT.S3.PR.8') return 'AWS::S3::BucketPolicy';
  return 'AWS::S3::Bucket';
}

/** What every check says about one column's synthesized app. */
class ColumnResults {
  public readonly cell: CfnResource[];
  private readonly failures = new Set<string>(); // `${check} ${constructPath}`
  private readonly applicable = new Set<string>(); // our rules that applied to a cell resource

  constructor(build: (stack: Stack, app: App) => void) {
    const { app } = newAppWithOutdir();
    const stack = new Stack(app, 'Map', { env: ENV });
    build(stack, app);
    const assembly = app.synth();
    const subject = stack.node.findChild('Data');
    this.cell = subject.node.findAll().filter(CfnResource.isCfnResource);
    for (const pack of [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R4Checks(), new NIST80053R5Checks(), new PCIDSS321Checks(), new S3EncryptionChecks()]) {
      for (const v of pack.validateScope(app).violations) for (const r of v.violatingResources) this.failures.add(`${v.ruleName} ${r.constructPath}`);
    }
    const byLogicalId = new Map(stack.node.findAll().filter(CfnResource.isCfnResource).map((r) => [stack.resolve(r.logicalId) as string, r.node.path]));
    const guard = controlTowerS3AndKmsValidator().validate({ templatePaths: assembly.stacks.map((s) => s.templateFullPath) } as never);
    const controlOf = Object.fromEntries(Object.entries(CONTROL_TOWER_RULES).map(([control, rule]) => [rule, control]));
    for (const v of guard.violations) for (const r of v.violatingResources) this.failures.add(`${controlOf[v.ruleName] ?? v.ruleName} ${byLogicalId.get(r.resourceLogicalId!)}`);
    const template = assembly.getStackArtifact(stack.artifactId).template;
    for (const key of this.cell.filter((r) => r.cfnResourceType === KEY)) {
      const rendered = template.Resources[stack.resolve(key.logicalId)];
      if (rendered.DeletionPolicy !== 'Retain' || rendered.Properties.PendingWindowInDays !== 30) this.failures.add(`Template-KeyRetainedWith30DayDeletionWindow ${key.node.path}`);
    }
    const context = ruleContext(new TemplateIndex(app), undefined);
    for (const resource of this.cell) {
      for (const { rule, problems } of evaluateRules(resource, context)) if (problems !== undefined) this.applicable.add(fullRuleId(rule));
    }
  }

  public fails(check: string): boolean {
    return this.cell.some((r) => this.failures.has(`${check} ${r.node.path}`));
  }

  public hasSomethingToCheck(check: string): boolean {
    if (check.startsWith('S3Encryption-')) return this.applicable.has(check);
    return this.cell.some((r) => r.cfnResourceType === checkedType(check));
  }
}

const { columns, rows } = controlMap();
const results = new Map<string, ColumnResults>();
const resultsOf = (column: string) => {
  if (!results.has(column)) results.set(column, new ColumnResults(CONFIGURATIONS[column]));
  return results.get(column)!;
};

test('the control map has a known configuration in every column and a known check in every row', () => {
  expect(columns.filter((c) => !(c in CONFIGURATIONS))).toEqual([]);
  expect(rows.length).toBeGreaterThanOrEqual(15);
  const known = (check: string) => check in CONTROL_TOWER_RULES || S3EncryptionChecks.RULE_IDS.includes(check)
    || /^(AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R4|NIST\.800\.53\.R5|PCI\.DSS\.321)-\w+$/.test(check)
    || check === 'Template-KeyRetainedWith30DayDeletionWindow';
  for (const row of rows) {
    expect(row.checks.length).toBeGreaterThan(0);
    expect(row.checks.filter((c) => !known(c))).toEqual([]);
    expect(Object.values(row.cells).filter((c) => !['✅', '❌', 'n/a'].includes(c))).toEqual([]);
  }
});

describe.each(rows)('$control', (row) => {
  test.each(columns)('%s', (column) => {
    const result = resultsOf(column);
    const claim = row.cells[column];
    const outcome = Object.fromEntries(row.checks.map((check) => [check, result.fails(check) ? 'fails' : result.hasSomethingToCheck(check) ? 'passes' : 'nothing to check']));
    if (claim === '✅') expect(Object.values(outcome).every((o) => o === 'passes') ? outcome : { claim, outcome }).toBe(outcome);
    if (claim === '❌') expect(Object.values(outcome).some((o) => o === 'fails') ? outcome : { claim, outcome }).toBe(outcome);
    if (claim === 'n/a') expect(Object.values(outcome).every((o) => o === 'nothing to check') ? outcome : { claim, outcome }).toBe(outcome);
  });
});
