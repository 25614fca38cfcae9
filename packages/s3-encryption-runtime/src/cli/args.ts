import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../s3-client-factory';
import { UsageError } from './command';

/** `node:util` parseArgs option specs. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Options every S3 command takes: where the object is and how to reach the server. */
export const S3_LOCATION_OPTIONS: OptionSpecs = {
  bucket: { type: 'string' },
  key: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'path-style': { type: 'boolean' },
  'ca-cert': { type: 'string' },
};

/** Help lines for {@link S3_LOCATION_OPTIONS}. */
export const S3_LOCATION_HELP = [
  '  --bucket NAME          bucket (required)',
  '  --key KEY              object key (required)',
  '  --endpoint URL         S3-compatible endpoint, https:// only (default: AWS)',
  '  --region REGION        region (default: AWS_REGION / profile)',
  '  --path-style           path-style addressing (most S3-compatible servers)',
  '  --ca-cert FILE         PEM CA certificate to trust for --endpoint',
];

/** Common flags. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
};

/** Parses `args` strictly against `options`; unknown options and stray positionals are usage errors. */
export function parseOptions(args: string[], options: OptionSpecs): OptionValues {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

/** A required string option, or a usage error naming it. */
export function requireString(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional string option. */
export function optionalString(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Builds the S3 client from `--endpoint`, `--region`, `--path-style`, `--ca-cert`. Plain HTTP is always refused. */
export function s3ClientFromOptions(values: OptionValues): S3Client {
  const caFile = optionalString(values, 'ca-cert');
  let caCert: Buffer | undefined;
  if (caFile) {
    try {
      caCert = readFileSync(caFile);
    } catch (err) {
      throw new UsageError(`cannot read --ca-cert ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const endpoint = optionalString(values, 'endpoint');
  const region = optionalString(values, 'region');
  return createS3Client({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : endpoint ? { region: 'us-east-1' } : {}),
    forcePathStyle: values['path-style'] === true,
    ...(caCert ? { caCert } : {}),
  });
}
