import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { assertSecureEndpoint, createS3Client, InsecureEndpointError } from '../s3-client-factory';
import { UsageError } from './command';
import { fsReason } from './files';
import { type OptionGroup, type OptionValues, optionalString } from './options';

/** Options every S3 command takes: where the object is and how to reach the server. */
export const S3_LOCATION_OPTIONS: OptionGroup = {
  title: 'Object',
  options: {
    bucket: { type: 'string', value: 'NAME', help: 'bucket (required)' },
    key: { type: 'string', value: 'KEY', help: 'object key (required)' },
    endpoint: { type: 'string', value: 'URL', help: 'S3-compatible endpoint, https:// only (default: AWS)' },
    region: { type: 'string', value: 'REGION', help: 'region (default: AWS_REGION / profile)' },
    'path-style': { type: 'boolean', help: 'path-style addressing (most S3-compatible servers)' },
    'ca-cert': { type: 'string', value: 'FILE', help: 'PEM CA certificate to trust for --endpoint' },
  },
};

/** Builds the S3 client from `--endpoint`, `--region`, `--path-style`, `--ca-cert`. Plain HTTP is always refused. */
export function s3ClientFromOptions(values: OptionValues): S3Client {
  const caFile = optionalString(values, 'ca-cert');
  let caCert: Buffer | undefined;
  if (caFile) {
    try {
      caCert = readFileSync(caFile);
    } catch (err) {
      throw new UsageError(`cannot read --ca-cert ${caFile}: ${fsReason(err)}`, { helpHint: false });
    }
  }
  const endpoint = optionalString(values, 'endpoint');
  const region = optionalString(values, 'region');
  if (endpoint) {
    try {
      assertSecureEndpoint(endpoint, false);
    } catch (err) {
      throw new UsageError(err instanceof InsecureEndpointError
        ? `refusing --endpoint ${err.endpoint}: plain HTTP would send encryption keys unencrypted; give an https:// URL (with --ca-cert FILE for a private CA)`
        : `--endpoint ${JSON.stringify(endpoint)} is not an https:// URL, e.g. https://s3.example.com`);
    }
  }
  return createS3Client({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : endpoint ? { region: 'us-east-1' } : {}),
    forcePathStyle: values['path-style'] === true,
    ...(caCert ? { caCert } : {}),
  });
}
