/**
 * Conditional writes (If-Match on PutObject) across servers that honour them differently: AWS compares
 * the quoted ETag; radosgw Pacific only the unquoted one, and in versioned buckets fails every If-Match.
 * Each bucket starts on the AWS form and steps down once when a 412 came although the ETag still matches;
 * where the server cannot condition the write at all, the ETag is re-checked right before writing.
 */
import { isPreconditionFailed } from './errors';

type IfMatchForm = 'quoted' | 'unquoted' | 'unsupported';

/** One conditional write. */
export interface ConditionalWrite<T> {
  /** Bucket of the object (the form is remembered per bucket). */
  readonly bucket: string;
  /** The ETag the object must still have. */
  readonly etag: string;
  /** Writes, with `ifMatch` as this server needs it (undefined: the server cannot condition the write). */
  readonly write: (ifMatch: string | undefined) => Promise<T>;
  /** Whether the object still has `etag` (reads it afresh). */
  readonly stillMatches: () => Promise<boolean>;
  /** The error to throw when it no longer does. */
  readonly changed: () => Error;
}

/** Per-client memory of how each bucket's server honours If-Match on writes. */
export class ConditionalWrites {
  private readonly forms = new Map<string, IfMatchForm>();

  /** Runs `w.write` so that it takes effect only while the object has `w.etag`. */
  public async write<T>(w: ConditionalWrite<T>): Promise<T> {
    const form = this.forms.get(w.bucket) ?? 'quoted';
    if (form === 'unsupported' && !(await w.stillMatches())) throw w.changed();
    try {
      return await w.write(form === 'quoted' ? w.etag : form === 'unquoted' ? w.etag.replace(/"/g, '') : undefined);
    } catch (err) {
      // a 412 although the ETag still matches: the server compares another form; step down once and retry
      if (form === 'unsupported' || !isPreconditionFailed(err) || !(await w.stillMatches())) throw err;
      this.forms.set(w.bucket, form === 'quoted' ? 'unquoted' : 'unsupported');
      return this.write(w);
    }
  }
}
