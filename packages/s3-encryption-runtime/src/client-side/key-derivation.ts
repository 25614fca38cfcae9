import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { AlgorithmSuite, DATA_KEY_LENGTH, V3_COMMITMENT_LENGTH, V3_MESSAGE_ID_LENGTH } from './algorithm-suite';

const SUITE_ID = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY.idBytes();
const DERIVE_KEY_INFO = Buffer.concat([SUITE_ID, Buffer.from('DERIVEKEY', 'ascii')]);
const COMMIT_KEY_INFO = Buffer.concat([SUITE_ID, Buffer.from('COMMITKEY', 'ascii')]);

/**
 * The 28-byte key commitment of suite 0x0073: HKDF-SHA512(ikm = data key, salt = message id,
 * info = `00 73` ‖ "COMMITKEY").
 */
export function deriveCommitment(dataKey: KeyObject, messageId: Uint8Array): Buffer {
  assertLengths(dataKey, messageId);
  return Buffer.from(hkdfSync('sha512', dataKey, messageId, COMMIT_KEY_INFO, V3_COMMITMENT_LENGTH));
}

/**
 * The 32-byte content key (DEK) of suite 0x0073: HKDF-SHA512(ikm = data key, salt = message id,
 * info = `00 73` ‖ "DERIVEKEY"). Returned as a KeyObject so its bytes never print.
 * Callers must compare the commitment first.
 */
export function deriveContentKey(dataKey: KeyObject, messageId: Uint8Array): KeyObject {
  assertLengths(dataKey, messageId);
  const bytes = Buffer.from(hkdfSync('sha512', dataKey, messageId, DERIVE_KEY_INFO, DATA_KEY_LENGTH));
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

function assertLengths(dataKey: KeyObject, messageId: Uint8Array): void {
  // Both are validated earlier with typed errors; this guards programming mistakes.
  if (dataKey.symmetricKeySize !== DATA_KEY_LENGTH || messageId.length !== V3_MESSAGE_ID_LENGTH) {
    throw new RangeError('key derivation needs a 32-byte data key and a 28-byte message id');
  }
}
