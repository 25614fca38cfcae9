/**
 * How S3 encrypts objects at rest by default. An enum-like class: use the static members.
 *
 * | mode | `SSEAlgorithm` | keys held by | KMS cost |
 * |------|----------------|--------------|----------|
 * | SSE_S3 | `AES256` | S3 | none |
 * | SSE_KMS | `aws:kms` | KMS (your key) | per request, cut ~99% by S3 Bucket Keys |
 * | DSSE_KMS | `aws:kms:dsse` | KMS (your key), two layers | per request; Bucket Keys unsupported |
 */
export class BucketEncryptionMode {
  /** Server-side encryption with S3-managed keys. No KMS key, no KMS cost, no key-level access control. */
  public static readonly SSE_S3 = new BucketEncryptionMode('SSE_S3', 'AES256', false);
  /** Server-side encryption with a customer-managed KMS key. The default of `EncryptedBucket`. */
  public static readonly SSE_KMS = new BucketEncryptionMode('SSE_KMS', 'aws:kms', true);
  /** Dual-layer server-side encryption with a customer-managed KMS key (for CNSSP 15-style two-layer requirements). */
  public static readonly DSSE_KMS = new BucketEncryptionMode('DSSE_KMS', 'aws:kms:dsse', true);

  /**
   * @param name the member name, for messages
   * @param sseAlgorithm the value S3 uses in `SSEAlgorithm` and `x-amz-server-side-encryption`
   * @param usesKms whether objects are encrypted under a KMS key
   */
  private constructor(
    /** The member name, e.g. `SSE_KMS`. */
    public readonly name: string,
    /** The value S3 uses in `SSEAlgorithm` and in the `x-amz-server-side-encryption` header. */
    public readonly sseAlgorithm: string,
    /** Whether objects are encrypted under a KMS key. */
    public readonly usesKms: boolean,
  ) {}

  /** The member name. */
  public toString(): string {
    return this.name;
  }
}
