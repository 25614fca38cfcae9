export * from './guardrail-mode';
export * from './s3-encryption-checks';
export * from './encryption-guardrails';
