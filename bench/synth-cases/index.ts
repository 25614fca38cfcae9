import { encryptedBuckets } from './encrypted-buckets';
import { encryptedBucketsSamePolicies } from './encrypted-buckets-same-policies';
import { guardrails } from './guardrails';
import { replicatedPairs } from './replicated-pairs';
import { SynthCase } from './types';

/** Every synth benchmark case. Add a case: one file in this folder, one line here. */
export const SYNTH_CASES: readonly SynthCase[] = [
  encryptedBuckets,
  encryptedBucketsSamePolicies,
  replicatedPairs,
  guardrails,
];
