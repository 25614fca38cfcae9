import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3EncryptionError } from '../errors';
import { createS3Client } from '../s3-client-factory';

/**
 * The S3 client a Lambda handler uses, configured from the environment. On AWS none of these are set
 * and the client uses the function's region and role. For an S3-compatible server (and the tests
 * against radosgw):
 * - `BATCH_S3_ENDPOINT`: https endpoint;
 * - `BATCH_S3_FORCE_PATH_STYLE=true`: path-style addressing;
 * - `BATCH_S3_CA_CERT_FILE`: PEM file of a private CA to trust.
 */
export function s3ClientFromEnvironment(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.BATCH_S3_ENDPOINT || undefined;
  return createS3Client({
    endpoint,
    forcePathStyle: env.BATCH_S3_FORCE_PATH_STYLE === 'true',
    ...(env.BATCH_S3_CA_CERT_FILE ? { caCert: readCaCert(env.BATCH_S3_CA_CERT_FILE) } : {}),
  });
}

function readCaCert(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new S3EncryptionError('InvalidConfiguration', `BATCH_S3_CA_CERT_FILE names ${file}, which cannot be read (${(err as Error).message}).`, { cause: err });
  }
}
