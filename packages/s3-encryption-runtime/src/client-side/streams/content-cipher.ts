import { type CipherGCM, createCipheriv, createDecipheriv, type Decipher, type DecipherGCM, type KeyObject } from 'node:crypto';
import { type AlgorithmSuite, V3_FIXED_IV } from '../algorithm-suite';

/**
 * The AES-256-GCM cipher for an object body. V2: the object's random 12-byte IV, no AAD.
 * V3: the fixed IV of twelve 0x01 bytes and AAD `00 73`, under the HKDF-derived content key.
 */
export function createContentCipher(suite: AlgorithmSuite, contentKey: KeyObject, iv: Buffer | undefined): CipherGCM {
  const cipher = createCipheriv('aes-256-gcm', contentKey, suite.committing ? V3_FIXED_IV : iv!, { authTagLength: 16 });
  if (suite.committing) cipher.setAAD(suite.idBytes());
  return cipher;
}

/** The decipher matching {@link createContentCipher}, or AES-256-CBC (PKCS#7 padding) for the legacy suite. */
export function createContentDecipher(suite: AlgorithmSuite, contentKey: KeyObject, iv: Buffer | undefined): Decipher {
  if (suite.legacy) return createDecipheriv('aes-256-cbc', contentKey, iv!);
  const decipher: DecipherGCM = createDecipheriv('aes-256-gcm', contentKey, suite.committing ? V3_FIXED_IV : iv!, { authTagLength: 16 });
  if (suite.committing) decipher.setAAD(suite.idBytes());
  return decipher;
}

/**
 * AES-256-CTR positioned at 16-byte block `blockIndex` of a GCM body: GCM encrypts data block i
 * with counter IV ‖ BE32(i + 2) (J0 = IV ‖ 00000001 is used for the tag).
 */
export function createCtrDecipherAtBlock(suite: AlgorithmSuite, contentKey: KeyObject, iv: Buffer | undefined, blockIndex: number): Decipher {
  const counter = Buffer.alloc(16);
  (suite.committing ? V3_FIXED_IV : iv!).copy(counter, 0, 0, 12);
  // GCM allows at most 2^32 − 2 blocks, so the 32-bit counter never wraps; Node's 128-bit CTR increment agrees.
  counter.writeUInt32BE(blockIndex + 2, 12);
  return createDecipheriv('aes-256-ctr', contentKey, counter);
}
