import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TransferProgress } from '../sse-c/sse-c-object-client';
import type { CliContext } from './command';
import { type OptionSpecs, type OptionValues } from './args';
import { UsageError } from './command';

/** What `put` hands to an encryption mode. */
export interface ModePutRequest {
  /** Client for the chosen endpoint. */
  readonly s3: S3Client;
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The plaintext. */
  readonly body: Readable;
  /** Its length, when known (files), for part sizing and a length check. */
  readonly contentLength?: number;
  /** `--content-type`, if given. */
  readonly contentType?: string;
  /** Progress callback (bytes of plaintext consumed). */
  readonly onProgress: (progress: TransferProgress) => void;
  /** Cancels the transfer. */
  readonly signal: AbortSignal;
}

/** What `put` reports. */
export interface ModePutResult {
  /** ETag of the object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Plaintext bytes uploaded. */
  readonly size: number;
}

/** What `get` hands to an encryption mode. */
export interface ModeGetRequest {
  /** Client for the chosen endpoint. */
  readonly s3: S3Client;
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** `--version-id`, if given. */
  readonly versionId?: string;
  /** Cancels the transfer. */
  readonly signal: AbortSignal;
}

/** What `get` receives: the plaintext stream and its length when known. */
export interface ModeGetResult {
  /** Plaintext; fails if the object cannot be authenticated or the transfer is cut short. */
  readonly body: Readable;
  /** Plaintext length, when known. */
  readonly contentLength?: number;
  /** Version id read. */
  readonly versionId?: string;
}

/** One way of protecting objects (SSE-C, client-side with AES/RSA/KMS keys, ...), chosen by key options. */
export interface EncryptionMode {
  /** Non-secret description for messages, e.g. `SSE-C (key file k.bin)`. */
  readonly description: string;
  /** Uploads a plaintext stream. */
  put(request: ModePutRequest): Promise<ModePutResult>;
  /** Downloads an object as a plaintext stream. */
  get(request: ModeGetRequest): Promise<ModeGetResult>;
}

/**
 * A family of key options for `put` and `get` (e.g. `--sse-c-key-file`/`--sse-c-secret`), and the mode they
 * select. Register new families in `KEY_OPTION_SETS` in `main.ts`; `put`/`get` pick them up unchanged.
 */
export interface KeyOptionSet {
  /** Name of the family, for messages (`SSE-C`). */
  readonly name: string;
  /** parseArgs option specs of the family. */
  readonly options: OptionSpecs;
  /** The options that name a key (the rest only tune it), for "a key is required" messages. @default all options */
  readonly keySelectingOptions?: readonly string[];
  /** Help lines of the family. */
  readonly help: readonly string[];
  /** The mode selected by the parsed values, or `undefined` if none of the family's options were given. */
  resolve(values: OptionValues, ctx: CliContext): Promise<EncryptionMode | undefined>;
}

/** All options of all families, for parseArgs. */
export function keyOptionSpecs(sets: readonly KeyOptionSet[]): OptionSpecs {
  return Object.assign({}, ...sets.map((s) => s.options));
}

/** Help lines of all families. */
export function keyOptionHelp(sets: readonly KeyOptionSet[]): string[] {
  return sets.flatMap((s) => [`${s.name} key options:`, ...s.help]);
}

/** Exactly one family must be selected; returns its mode. */
export async function resolveEncryptionMode(sets: readonly KeyOptionSet[], values: OptionValues, ctx: CliContext): Promise<EncryptionMode> {
  const names = sets.filter((s) => Object.keys(s.options).some((o) => values[o] !== undefined)).map((s) => s.name);
  if (names.length > 1) throw new UsageError(`choose one kind of key; got ${names.join(' and ')} options`);
  for (const set of sets) {
    const mode = await set.resolve(values, ctx);
    if (mode) return mode;
  }
  const keyOptions = sets.flatMap((s) => (s.keySelectingOptions ?? Object.keys(s.options)).map((o) => `--${o}`));
  throw new UsageError(`a key is required: ${keyOptions.join(', ')}`);
}
