/** Progress of a transfer, as the SSE-C and client-side clients report it. */
export interface TransferProgress {
  /** Bytes transferred so far (plaintext bytes, for client-side encryption). */
  readonly loaded: number;
  /** Total bytes, when known. */
  readonly total?: number;
}
