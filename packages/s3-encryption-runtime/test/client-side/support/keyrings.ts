import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { type AlgorithmSuite, type DataKeyUnwrapRequest, type Keyring, KmsKeyring, RawAesKeyring, RawRsaKeyring, type WrappedDataKey } from '../../../src/client-side';
import { type FakeKms } from './fake-kms';

let rsa: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

/** One RSA-2048 key pair per test file (generation takes ~100 ms). */
export function rsaKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  rsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return rsa;
}

/** The three keyring kinds, each with a fresh key; `kms` needs a FakeKms. */
export function keyringsFor(kms: FakeKms, aesKey: Buffer = randomBytes(32)): Record<'aes' | 'rsa' | 'kms', () => Keyring> {
  const kmsKey = kms.createKey();
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test' } });
  return {
    aes: () => new RawAesKeyring({ wrappingKey: aesKey }),
    rsa: () => new RawRsaKeyring({ privateKey: rsaKeyPair().privateKey }),
    kms: () => new KmsKeyring({ client, keyId: kmsKey }),
  };
}

/** A KMS client for tests; FakeKms intercepts its calls. */
export function testKmsClient(): KMSClient {
  return new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test' } });
}

/** The unwrap request a decryptor sends for a wrapped key under `suite` (no expected encryption context unless given). */
export function unwrapRequest(w: WrappedDataKey, suite: AlgorithmSuite, extra: Partial<DataKeyUnwrapRequest> = {}): DataKeyUnwrapRequest {
  return {
    suite,
    wrappingAlgorithm: w.wrappingAlgorithm,
    encryptedDataKey: w.encryptedDataKey,
    encryptionContext: w.encryptionContext,
    materialDescription: w.materialDescription,
    expectedEncryptionContext: {},
    ...extra,
  };
}
