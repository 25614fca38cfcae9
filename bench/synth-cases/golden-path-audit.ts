import { buildGoldenPathApp } from '../../bin/golden-path-app';
import { ENV, type SynthCase } from './types';

/**
 * The golden-path app (both stacks, the five cdk-nag packs, S3EncryptionChecks and EncryptionGuardrails
 * in ENFORCE mode) with its EncryptionAudit against the same app without it: what the audit (trail,
 * log group, metric filters, alarms, KMS request-rate alarms in both Regions) adds to a synth.
 */
export const goldenPathAudit: SynthCase = {
  name: 'golden-path-audit',
  description: 'the golden-path app with EncryptionAudit vs without it',
  sizes: [1],
  variants: { ours: 'golden path + EncryptionAudit', baseline: 'golden path' },
  goalRatio: 1.25,
  notComparableBefore: 'EncryptionAudit, and the golden path that adds it, came after the older checkout; issue 13 compares the golden path with and without the audit in the same run instead',
  build(app, variant) {
    app.node.setContext('golden-path:account', ENV.account);
    app.node.setContext('golden-path:primary-region', ENV.region);
    app.node.setContext('golden-path:replica-region', 'eu-west-1');
    buildGoldenPathApp(app, { encryptionAudit: variant === 'ours' });
  },
};
