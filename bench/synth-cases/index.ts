import { encryptedBuckets } from './encrypted-buckets';
import { encryptedBucketsSameTemplate } from './encrypted-buckets-same-template';
import { goldenPathAudit } from './golden-path-audit';
import { guardrails } from './guardrails';
import { replicatedPairs } from './replicated-pairs';
import { type SynthCase } from './types';

/** Every synth benchmark case. Add a case: one file in this folder, one line here. */
export const SYNTH_CASES: readonly SynthCase[] = [
  encryptedBuckets,
  encryptedBucketsSameTemplate,
  replicatedPairs,
  guardrails,
  goldenPathAudit,
];
