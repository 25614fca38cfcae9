export * from './construct-prop-error';
export * from './bucket-encryption-mode';
export * from './kms-key-with-rotation';
export * from './kms-key-policy-statements';
export * from './encrypted-bucket';
export * from './encrypted-bucket-policy-statements';
export * from './encrypted-bucket-grants';
