import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';
import { addCompliancePacks } from '../../bin/compliance-packs';

/**
 * Synthesizes a fresh app built by `build` with policy-validation plugins (the golden path's five
 * cdk-nag packs by default) and returns every unacknowledged finding as `<rule> <construct path>`,
 * sorted. A synth that fails for any other reason than findings rethrows.
 */
export function unacknowledgedFindings(build: (app: App) => void, plugins?: (app: App) => IPolicyValidationPlugin[]): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-findings-'));
  const app = new App({ outdir });
  build(app);
  if (plugins) Validations.of(app).addPlugins(...plugins(app));
  else addCompliancePacks(app);
  try {
    app.synth();
  } catch (e) {
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) throw e;
  }
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
    (v.violatingConstructs ?? []).map((c: any) => `${v.ruleName} ${c.constructPath}`))).sort();
}

/** Every acknowledgement on the resources under `scope`: path → rule id → reason. */
export function acknowledgementsUnder(scope: IConstruct): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        (out[c.node.path] ??= {})[id.replace(/^annotation::/i, '')] = reason;
      }
    }
  }
  return out;
}
