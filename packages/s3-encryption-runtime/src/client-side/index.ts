/**
 * Client-side encryption wire-compatible with the Amazon S3 Encryption Client.
 * Materials (algorithm suites, key derivation, metadata), keyrings and streams are separate modules.
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
