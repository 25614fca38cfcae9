import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CliContext } from './command';
import { UsageError } from './command';
import type { OptionGroup, OptionValues } from './options';

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
  readonly onProgress: (progress: { readonly loaded: number; readonly total?: number }) => void;
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

/** How `put` or `get` will use the key options: the direction, and for `get` where the plaintext goes. */
export interface KeyUse {
  /** `put` encrypts, `get` decrypts. */
  readonly direction: 'put' | 'get';
  /** `get --file`: the plaintext goes to a temporary file renamed into place only when complete. @default false */
  readonly toFile?: boolean;
}

/**
 * A family of key options for `put` and `get` (e.g. `--sse-c-key-file`/`--sse-c-secret`), and the mode they
 * select. Register new families in `KEY_OPTION_SETS` in `main.ts`; `put`/`get` pick them up unchanged.
 */
export interface KeyOptionSet {
  /** Name of the family, for messages (`SSE-C`). */
  readonly name: string;
  /** The family's options for `put` or `get`, as parsed and as shown in help. */
  optionGroups(direction: KeyUse['direction']): OptionGroup[];
  /** The options that name a key (the rest only tune it), for "a key is required" messages. */
  keySelectingOptions(direction: KeyUse['direction']): string[];
  /** The mode selected by the parsed values, or `undefined` if none of the family's options were given. */
  resolve(values: OptionValues, ctx: CliContext, use: KeyUse): Promise<EncryptionMode | undefined> | EncryptionMode | undefined;
}

/** The option groups of all families for `direction`. */
export function keyOptionGroups(sets: readonly KeyOptionSet[], direction: KeyUse['direction']): OptionGroup[] {
  return sets.flatMap((s) => s.optionGroups(direction));
}

/** Exactly one family must be selected; returns its mode. */
export async function resolveEncryptionMode(sets: readonly KeyOptionSet[], values: OptionValues, ctx: CliContext, use: KeyUse): Promise<EncryptionMode> {
  const given = (s: KeyOptionSet) => s.optionGroups(use.direction).some((g) => Object.keys(g.options).some((o) => values[o] !== undefined));
  const names = sets.filter(given).map((s) => s.name);
  if (names.length > 1) throw new UsageError(`choose one kind of key; got ${names.join(' and ')} options`);
  for (const set of sets) {
    const mode = await set.resolve(values, ctx, use);
    if (mode) return mode;
  }
  const keyOptions = sets.flatMap((s) => s.keySelectingOptions(use.direction).map((o) => `--${o}`));
  throw new UsageError(`a key is required: ${keyOptions.join(', ')}`);
}
