import type { S3Client } from '@aws-sdk/client-s3';
import type { SseCCopyStrategy } from './sse-c-object-types';

/** The settings of one `SseCObjectClient`, as its pipelines read them (validated by the client). */
export interface SseCSettings {
  /** Sends the requests. */
  readonly s3: S3Client;
  /** Upload part size. */
  readonly partSize: number;
  /** Parts uploaded (or copied) at once. */
  readonly queueSize: number;
  /** How copies move bytes by default. */
  readonly copyStrategy: SseCCopyStrategy;
  /** Part size of server-side multipart copies. */
  readonly copyPartSize: number;
}
