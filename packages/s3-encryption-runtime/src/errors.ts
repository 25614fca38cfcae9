import { boundedMessage } from './bounded-text';

/**
 * Base class of every error the runtime throws on purpose. Subclasses name one failure each,
 * so callers can `instanceof`-check them; `code` is a stable string for logs and CLIs.
 * Messages say what failed and what to do, never contain key material, and are at most 2048
 * characters: longer ones (which can only come from echoed stored or server content) are cut in
 * the middle with a marker.
 */
export class S3EncryptionError extends Error {
  /** A stable, machine-readable identifier of the failure, e.g. `WrongKey`. */
  public readonly code: string;

  /**
   * @param code stable identifier of the failure
   * @param message what failed and what the user can do; never key bytes
   * @param options the underlying error, if any (kept as `cause`)
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(boundedMessage(message), options);
    this.name = new.target.name;
    this.code = code;
  }
}
