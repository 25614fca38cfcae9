import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { COMPLIANCE_PACK_NAMES } from '../bin/compliance-packs';
import { EncryptionGuardrails, S3EncryptionChecks } from '../lib';
import { buildGoldenPathApp } from '../bin/golden-path-app';

/**
 * The golden-path app (what `npx cdk synth` builds) runs the five cdk-nag packs and has no
 * unacknowledged finding. The second test proves the packs really run over the whole app: one
 * non-compliant bucket added to it makes every pack report, and the synth fail.
 */
const CONTEXT = {
  'golden-path:account': '111111111111',
  'golden-path:primary-region': 'us-east-1',
  'golden-path:replica-region': 'eu-west-1',
};

function newApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-path-'));
  return { app: new App({ outdir, context: CONTEXT }), outdir };
}

test('synthesizes with zero unacknowledged findings across the five packs', () => {
  const { app, outdir } = newApp();
  buildGoldenPathApp(app);
  expect(() => app.synth()).not.toThrow();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.filter((r: any) => r.conclusion !== 'success')).toEqual([]);
});

test('the five packs run over the whole app: a bare bucket fails every one of them', () => {
  const { app, outdir } = newApp();
  buildGoldenPathApp(app);
  const extra = new Stack(app, 'Extra', { env: { account: '111111111111', region: 'us-east-1' } });
  new s3.Bucket(extra, 'Bare');
  expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  const failedPacks = report.pluginReports.filter((r: any) => r.conclusion === 'failure').map((r: any) => r.pluginName);
  expect(failedPacks.sort()).toEqual([...COMPLIANCE_PACK_NAMES, S3EncryptionChecks.PACK_NAME, EncryptionGuardrails.PLUGIN_NAME].sort());
  const offenders = new Set(report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
    v.violatingConstructs.map((c: any) => c.constructPath))));
  expect([...offenders]).toEqual(['Extra/Bare/Resource']);
});
