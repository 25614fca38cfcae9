/**
 * Every client-side module in one import, for this package's tests. Not the package's API: the entry point
 * (`src/index.ts`) exports the documented names one by one.
 */
export * from './errors';
export * from './algorithm-suite';
export * from './commitment-policy';
export * from './content-format';
export * from './keyrings/wrapping-algorithm';
export * from './keyrings/keyring';
export * from './keyrings/kms-keyring';
export * from './keyrings/raw-aes-keyring';
export * from './keyrings/raw-rsa-keyring';
export * from './metadata/metadata-keys';
export * from './metadata/content-metadata';
export * from './metadata/encode-metadata';
export * from './metadata/decode-metadata';
export * from './metadata/ascii-json';
export * from './metadata/header-value-decoding';
export * from './streams/encrypt-stream';
export * from './streams/encrypted-parts';
export * from './streams/decrypt-stream';
export * from './streams/ranged-get';
export * from './object-encryptor';
export * from './object-decryptor';
export * from './instruction-file';
export * from './client-side-encryption';
