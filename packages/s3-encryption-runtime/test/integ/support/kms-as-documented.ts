/**
 * The two places where moto 5.2.1's KMS departs from AWS KMS in a way our code depends on, brought back to
 * what the AWS KMS API Reference documents. Everything else (the cryptography, the binding of the
 * encryption context, key and alias lookup, every other error) stays moto's.
 *
 * 1. ReEncrypt ignores `SourceKeyId`: moto decrypts with whichever key the ciphertext names. AWS KMS fails with
 *    `IncorrectKeyException` when SourceKeyId is not the key that encrypted the ciphertext
 *    (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html, SourceKeyId and Errors).
 *    Key rotation relies on it to tell "under this old key" from "under another key". Here, before the
 *    ReEncrypt goes to moto, a Decrypt naming SourceKeyId (on a separate client, not recorded) tells whether
 *    SourceKeyId fits.
 * 2. Decrypt with a `KeyId` that did not encrypt the ciphertext: moto answers `AccessDeniedException`, AWS KMS
 *    `IncorrectKeyException` (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html, KeyId and
 *    Errors). Only that case is translated (the same Decrypt without KeyId must succeed).
 *
 * It works by wrapping `KMSClient.prototype.send`, so it also reaches the clients the bundled handlers create.
 * `calls` records every KMS command the code under test sends (not the checks above).
 */
import {
  DecryptCommand, type DecryptCommandInput, IncorrectKeyException, KMSClient, ReEncryptCommand, type ReEncryptCommandInput,
} from '@aws-sdk/client-kms';
import type { MotoTestServer } from './moto-server';

type Send = (this: KMSClient, command: unknown) => Promise<unknown>;

/** A live shim; `restore()` puts `KMSClient.prototype.send` back. */
export interface KmsAsDocumented {
  /** Every KMS command sent through any KMSClient since the shim was installed (or `calls.length = 0`). */
  readonly calls: Array<{ readonly op: string; readonly input: Record<string, unknown> }>;
  /** Runs while a ReEncrypt is in flight, before moto sees it (e.g. a concurrent writer). */
  beforeReEncrypt?: (input: ReEncryptCommandInput) => Promise<void>;
  /** Removes the shim. */
  restore(): void;
}

/**
 * True when moto's Decrypt refused `input` only because its KeyId is not the key that encrypted the ciphertext:
 * moto then answers a bare AccessDeniedException (no message), as it also does for a ciphertext naming a key
 * that does not exist; the same Decrypt without KeyId succeeding tells the two apart.
 */
async function refusedOnlyForKeyId(err: unknown, checker: KMSClient, original: Send, input: DecryptCommandInput): Promise<boolean> {
  if ((err as { name?: string } | undefined)?.name !== 'AccessDeniedException' || !input.KeyId) return false;
  try {
    const out = (await original.call(checker, new DecryptCommand({ ...input, KeyId: undefined }))) as { Plaintext?: Uint8Array };
    out.Plaintext?.fill(0);
    return true;
  } catch {
    return false;
  }
}

function incorrectKey(what: string): IncorrectKeyException {
  return new IncorrectKeyException({
    message: `The key ID in the request does not identify a KMS key that can perform this operation (${what}).`,
    $metadata: { httpStatusCode: 400 },
  });
}

/** Installs the shim for moto at `moto` (see the file comment). */
export function kmsAsDocumented(moto: MotoTestServer): KmsAsDocumented {
  const original = Reflect.get(KMSClient.prototype, 'send') as Send;
  const checker = moto.kmsClient();
  const shim: KmsAsDocumented = {
    calls: [],
    restore: () => spy.mockRestore(),
  };
  const send: Send = async function (this: KMSClient, command: unknown) {
    const c = command as { constructor: { name: string }; input: Record<string, unknown> };
    shim.calls.push({ op: c.constructor.name.replace(/Command$/, ''), input: c.input });
    if (command instanceof ReEncryptCommand) {
      await shim.beforeReEncrypt?.(command.input);
      const { CiphertextBlob, SourceKeyId, SourceEncryptionContext } = command.input;
      if (SourceKeyId) {
        const check: DecryptCommandInput = { CiphertextBlob, KeyId: SourceKeyId, EncryptionContext: SourceEncryptionContext };
        try {
          const out = (await original.call(checker, new DecryptCommand(check))) as { Plaintext?: Uint8Array };
          out.Plaintext?.fill(0);
        } catch (err) {
          if (await refusedOnlyForKeyId(err, checker, original, check)) throw incorrectKey(`SourceKeyId ${SourceKeyId} did not encrypt this ciphertext`);
          // any other failure (a changed ciphertext or context): moto's own ReEncrypt reports it below
        }
      }
    }
    try {
      return await original.call(this, command);
    } catch (err) {
      if (command instanceof DecryptCommand && (await refusedOnlyForKeyId(err, checker, original, command.input))) {
        throw incorrectKey(`KeyId ${String(command.input.KeyId)} did not encrypt this ciphertext`);
      }
      throw err;
    }
  };
  const spy = jest.spyOn(KMSClient.prototype, 'send').mockImplementation(send as never);
  return shim;
}
