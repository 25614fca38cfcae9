import { DecryptCommand, type DecryptCommandOutput, NotFoundException, ReEncryptCommand, type ReEncryptCommandInput } from '@aws-sdk/client-kms';
import type { FakeKms } from './fake-kms';
import { testKmsClient } from './keyrings';

/**
 * Teaches a FakeKms the KMS ReEncrypt operation, with KMS's semantics: the blob is decrypted under
 * SourceKeyId and SourceEncryptionContext (IncorrectKeyException when SourceKeyId names another key,
 * InvalidCiphertextException when the blob or the context was changed) and encrypted again under
 * DestinationKeyId with DestinationEncryptionContext. The plaintext never leaves the fake. Requests are
 * recorded as `ReEncrypt` in `kms.requests` (the internal decrypt step is not recorded). `hooks.before`
 * runs while the request is "in flight".
 */
export function addReEncrypt(kms: FakeKms, hooks: { before?: (input: ReEncryptCommandInput) => Promise<void> } = {}): void {
  kms.mock.on(ReEncryptCommand).callsFake(async (input: ReEncryptCommandInput) => {
    kms.requests.push({ op: 'ReEncrypt', input });
    await hooks.before?.(input); // e.g. another writer acting while the KMS call is in flight
    const before = kms.requests.length;
    let decrypted: DecryptCommandOutput;
    try {
      decrypted = await testKmsClient().send(new DecryptCommand({ CiphertextBlob: input.CiphertextBlob, EncryptionContext: input.SourceEncryptionContext, KeyId: input.SourceKeyId }));
    } finally {
      kms.requests.splice(before); // the decrypt inside ReEncrypt is not a Decrypt the caller made
    }
    let blob: Buffer;
    try {
      blob = kms.encryptBlob(input.DestinationKeyId!, decrypted.Plaintext!, input.DestinationEncryptionContext ?? {});
    } catch {
      throw new NotFoundException({ message: `fake KMS: key ${input.DestinationKeyId} does not exist`, $metadata: {} });
    } finally {
      decrypted.Plaintext?.fill(0);
    }
    return { CiphertextBlob: new Uint8Array(blob), SourceKeyId: decrypted.KeyId, KeyId: input.DestinationKeyId, $metadata: {} };
  });
}
