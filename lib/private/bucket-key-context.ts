/**
 * Whether objects of a bucket with this default algorithm can carry the bucket-ARN encryption
 * context: SSE-KMS, where each upload may use an S3 Bucket Key whatever the bucket's default.
 * DSSE-KMS does not support Bucket Keys; SSE-S3 uses no KMS key.
 */
export function bucketKeyContextPossible(sseAlgorithm: string): boolean {
  return sseAlgorithm === 'aws:kms';
}
