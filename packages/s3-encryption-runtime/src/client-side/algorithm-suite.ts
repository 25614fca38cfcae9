/**
 * Content-encryption algorithm suites of the Amazon S3 Encryption Client, by the names the
 * official clients use. Only the GCM suites are written; CBC is read behind the legacy opt-in.
 */
export class AlgorithmSuite {
  /** Legacy AES-256-CBC with PKCS#5 padding, no authentication (suite 0x0070). Decrypt only, behind `enableLegacyUnauthenticatedModes`. */
  public static readonly AES_256_CBC_IV16_NO_KDF = new AlgorithmSuite(0x0070, 'AES/CBC/PKCS5Padding', 16, 0, false, true);
  /** AES-256-GCM with a random 12-byte IV and a 16-byte tag, not key-committing (suite 0x0072): the V2 format. */
  public static readonly AES_256_GCM_IV12_TAG16_NO_KDF = new AlgorithmSuite(0x0072, 'AES/GCM/NoPadding', 12, 16, false, false);
  /** AES-256-GCM with an HKDF-SHA512 derived key and a 28-byte key commitment (suite 0x0073): the V3 format. */
  public static readonly AES_256_GCM_HKDF_SHA512_COMMIT_KEY = new AlgorithmSuite(0x0073, '115', 12, 16, true, false);

  private constructor(
    /** Numeric suite id (0x0070, 0x0072 or 0x0073). */
    public readonly id: number,
    /**
     * The content-algorithm string stored in metadata (`x-amz-cek-alg` / `x-amz-c`) and bound into
     * every key wrap (AES-GCM AAD, RSA suffix, KMS `aws:x-amz-cek-alg`).
     */
    public readonly cekAlgorithm: string,
    /** Length of the IV (V2, CBC) or 0 for V3, whose IV is fixed; see `messageIdLength`. */
    public readonly ivLength: number,
    /** Length of the authentication tag appended to the body, or 0 for CBC. */
    public readonly tagLength: number,
    /** True if the suite commits to its data key (V3). */
    public readonly committing: boolean,
    /** True for unauthenticated legacy suites, readable only behind `enableLegacyUnauthenticatedModes`. */
    public readonly legacy: boolean,
  ) {}

  /** The two-byte big-endian suite id, used as the V3 GCM AAD and HKDF info prefix. */
  public idBytes(): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(this.id);
    return b;
  }

  /** Human-readable name, e.g. `ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0073)`. */
  public toString(): string {
    switch (this.id) {
      case 0x0070: return 'ALG_AES_256_CBC_IV16_NO_KDF (0x0070)';
      case 0x0072: return 'ALG_AES_256_GCM_IV12_TAG16_NO_KDF (0x0072)';
      default: return 'ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0073)';
    }
  }
}

/** Bytes of the V3 message id (HKDF salt) and of the key commitment. */
export const V3_MESSAGE_ID_LENGTH = 28;
/** Bytes of the V3 key commitment. */
export const V3_COMMITMENT_LENGTH = 28;
/** The fixed GCM IV of the committing suite: twelve 0x01 bytes (the spec changed it from zeros before GA). */
export const V3_FIXED_IV: Buffer = Buffer.alloc(12, 0x01);
/** Bytes of every data key this client writes and reads (AES-256). */
export const DATA_KEY_LENGTH = 32;
/** AES-GCM tag bytes. */
export const GCM_TAG_LENGTH = 16;
/** Largest plaintext one AES-GCM stream may encrypt: 2^39 − 256 bits = 2^36 − 32 bytes. */
export const GCM_MAX_PLAINTEXT_BYTES = 2 ** 36 - 32;
