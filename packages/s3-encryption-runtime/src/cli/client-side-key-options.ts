import { readFileSync } from 'node:fs';
import { KMSClient } from '@aws-sdk/client-kms';
import { ClientSideEncryption } from '../client-side/client-side-encryption';
import { type CommitmentPolicy, parseCommitmentPolicy } from '../client-side/commitment-policy';
import { type ContentFormat, MetadataStrategy, parseContentFormat } from '../client-side/content-format';
import { ClientSideConfigurationError } from '../client-side/errors';
import { type Keyring } from '../client-side/keyrings/keyring';
import { KmsKeyring } from '../client-side/keyrings/kms-keyring';
import { RawAesKeyring } from '../client-side/keyrings/raw-aes-keyring';
import { RawRsaKeyring } from '../client-side/keyrings/raw-rsa-keyring';

/**
 * `node:util` parseArgs specs of the client-side encryption options shared by `encrypt`, `decrypt`
 * and (phase 2) `put` / `get`. Spread them into a command's options.
 */
export const CLIENT_SIDE_KEY_OPTIONS = {
  'aes-key-file': { type: 'string' },
  'rsa-public-key': { type: 'string' },
  'rsa-private-key': { type: 'string' },
  'kms-key-id': { type: 'string' },
  'kms-region': { type: 'string' },
  context: { type: 'string', multiple: true },
  format: { type: 'string' },
  'commitment-policy': { type: 'string' },
  legacy: { type: 'boolean' },
  'instruction-file': { type: 'boolean' },
  'delayed-authentication': { type: 'boolean' },
  'buffer-size': { type: 'string' },
} as const;

/** Help text for the options above. */
export const CLIENT_SIDE_KEY_OPTIONS_HELP = `Key (exactly one):
  --aes-key-file FILE        raw AES-256 wrapping key: 32 raw bytes, or their base64 text
  --rsa-public-key FILE      RSA public key (PEM) to encrypt with
  --rsa-private-key FILE     RSA private key (PEM) to decrypt (or encrypt) with
  --kms-key-id ID            AWS KMS key id, ARN or alias (region: --kms-region or the AWS SDK default)
Options:
  --context k=v              KMS encryption context entry (repeatable); on decrypt, the context the object must have
  --format v3|v2             format written (default v3, key-committing; v2 for readers not yet upgraded)
  --commitment-policy P      FORBID_ENCRYPT_ALLOW_DECRYPT | REQUIRE_ENCRYPT_ALLOW_DECRYPT (default) | REQUIRE_ENCRYPT_REQUIRE_DECRYPT
  --instruction-file         write the key metadata to an instruction file instead of object metadata
  --legacy                   read legacy objects (V1/AES-CBC content, kms/AESWrap/unlabelled wraps; ranged reads)
  --delayed-authentication   stream plaintext before the GCM tag is checked (needed above --buffer-size);
                             a tampered object then fails only at the end, and the output is removed
  --buffer-size N            buffered-authentication limit in bytes (suffix KiB/MiB/GiB allowed; default 64MiB)`;

/** Parsed and validated client-side options. */
export interface ClientSideKeyOptions {
  /** Path of the raw AES key file. */
  readonly aesKeyFile?: string;
  /** Path of the RSA public key (PEM). */
  readonly rsaPublicKey?: string;
  /** Path of the RSA private key (PEM). */
  readonly rsaPrivateKey?: string;
  /** KMS key id, ARN or alias. */
  readonly kmsKeyId?: string;
  /** Region of the KMS client. @default the AWS SDK's default resolution */
  readonly kmsRegion?: string;
  /** Encryption context from `--context k=v`. */
  readonly encryptionContext: Record<string, string>;
  /** `--format`. */
  readonly format?: ContentFormat;
  /** `--commitment-policy`. */
  readonly commitmentPolicy?: CommitmentPolicy;
  /** `--legacy`: both legacy opt-ins. */
  readonly legacy: boolean;
  /** `--instruction-file`. */
  readonly instructionFile: boolean;
  /** `--delayed-authentication`. */
  readonly delayedAuthentication: boolean;
  /** `--buffer-size` in bytes. */
  readonly bufferSize?: number;
}

/** Values as parseArgs returns them for {@link CLIENT_SIDE_KEY_OPTIONS}. */
export type ClientSideKeyOptionValues = {
  readonly [K in keyof typeof CLIENT_SIDE_KEY_OPTIONS]?: (typeof CLIENT_SIDE_KEY_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof CLIENT_SIDE_KEY_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** True if any key option was given (phase 2: `put`/`get` switch to client-side encryption). */
export function hasClientSideKey(values: ClientSideKeyOptionValues): boolean {
  return Boolean(values['aes-key-file'] || values['rsa-public-key'] || values['rsa-private-key'] || values['kms-key-id']);
}

/** Validates the parsed option values; throws ClientSideConfigurationError with the fix. */
export function clientSideKeyOptionsFrom(values: ClientSideKeyOptionValues): ClientSideKeyOptions {
  const sources = (['aes-key-file', 'kms-key-id'] as const).filter((k) => values[k]).length + (values['rsa-public-key'] || values['rsa-private-key'] ? 1 : 0);
  if (sources === 0) throw new ClientSideConfigurationError('Give a key: --aes-key-file FILE, --rsa-public-key/--rsa-private-key FILE, or --kms-key-id ID.');
  if (sources > 1) throw new ClientSideConfigurationError('Give exactly one kind of key: --aes-key-file, --rsa-public-key/--rsa-private-key, or --kms-key-id.');
  if (values.context?.length && !values['kms-key-id']) {
    throw new ClientSideConfigurationError('--context applies to KMS keys only (--kms-key-id); raw AES/RSA keys have no encryption context.');
  }
  if (values['buffer-size'] !== undefined && values['delayed-authentication']) {
    throw new ClientSideConfigurationError('--buffer-size applies to buffered authentication; drop it or drop --delayed-authentication.');
  }
  return {
    aesKeyFile: values['aes-key-file'],
    rsaPublicKey: values['rsa-public-key'],
    rsaPrivateKey: values['rsa-private-key'],
    kmsKeyId: values['kms-key-id'],
    kmsRegion: values['kms-region'],
    encryptionContext: parseContextPairs(values.context ?? []),
    format: values.format === undefined ? undefined : parseContentFormat(values.format),
    commitmentPolicy: values['commitment-policy'] === undefined ? undefined : parseCommitmentPolicy(values['commitment-policy']),
    legacy: values.legacy === true,
    instructionFile: values['instruction-file'] === true,
    delayedAuthentication: values['delayed-authentication'] === true,
    bufferSize: values['buffer-size'] === undefined ? undefined : parseByteSize(values['buffer-size']),
  };
}

/** `k=v` pairs (split at the first `=`) into a map; duplicate or empty keys are errors. */
export function parseContextPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ClientSideConfigurationError(`--context ${JSON.stringify(pair)} must look like key=value.`);
    const key = pair.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new ClientSideConfigurationError(`--context key ${JSON.stringify(key)} is given twice.`);
    Object.defineProperty(out, key, { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Parses `1048576`, `64MiB`, `512KiB`, `1GiB`. */
export function parseByteSize(text: string): number {
  const m = /^(\d+)\s*(KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) throw new ClientSideConfigurationError(`--buffer-size ${JSON.stringify(text)} must be a number of bytes, optionally with KiB, MiB or GiB.`);
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit === 'kib' ? 1024 : unit === 'mib' ? 1024 ** 2 : unit === 'gib' ? 1024 ** 3 : 1);
}

/** Reads a raw AES key file: exactly 32 bytes, or the base64 text of 32 bytes (whitespace ignored). */
export function readAesKeyFile(path: string): Buffer {
  const raw = readFile(path, 'AES key');
  if (raw.length === 32) return raw;
  const text = raw.toString('latin1').trim();
  const decoded = /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  raw.fill(0);
  if (!decoded || decoded.length !== 32) {
    throw new ClientSideConfigurationError(`${path} must hold a 256-bit AES key: 32 raw bytes, or those bytes in base64 (44 characters). Create one with: head -c 32 /dev/urandom > ${path}`);
  }
  return decoded;
}

/** Optional hooks of {@link keyringFromOptions}. */
export interface KeyringFromOptionsDeps {
  /** KMS client for `--kms-key-id`. @default new KMSClient({ region: --kms-region }) */
  readonly kmsClient?: KMSClient;
  /** Called with every secret loaded (AES key, RSA private key), e.g. the CLI's `ctx.addSecret` that scrubs output. */
  readonly addSecret?: (bytes: Uint8Array) => void;
}

/** Builds the keyring the options name. */
export function keyringFromOptions(opts: ClientSideKeyOptions, deps: KeyringFromOptionsDeps = {}): Keyring {
  if (opts.aesKeyFile) {
    const key = readAesKeyFile(opts.aesKeyFile);
    deps.addSecret?.(key);
    try {
      return new RawAesKeyring({ wrappingKey: key });
    } finally {
      key.fill(0);
    }
  }
  if (opts.rsaPublicKey || opts.rsaPrivateKey) {
    const privateKey = opts.rsaPrivateKey ? readFile(opts.rsaPrivateKey, 'RSA private key') : undefined;
    if (privateKey) deps.addSecret?.(privateKey);
    return new RawRsaKeyring({ publicKey: opts.rsaPublicKey ? readFile(opts.rsaPublicKey, 'RSA public key') : undefined, privateKey });
  }
  return new KmsKeyring({ client: deps.kmsClient ?? new KMSClient(opts.kmsRegion ? { region: opts.kmsRegion } : {}), keyId: opts.kmsKeyId });
}

/** The ClientSideEncryption the options describe. */
export function clientSideEncryptionFromOptions(opts: ClientSideKeyOptions, keyring: Keyring): ClientSideEncryption {
  return new ClientSideEncryption({
    keyring,
    format: opts.format,
    commitmentPolicy: opts.commitmentPolicy,
    metadataStrategy: opts.instructionFile ? MetadataStrategy.INSTRUCTION_FILE : MetadataStrategy.OBJECT_METADATA,
    enableLegacyWrappingAlgorithms: opts.legacy,
    enableLegacyUnauthenticatedModes: opts.legacy,
    enableDelayedAuthentication: opts.delayedAuthentication,
    bufferSize: opts.bufferSize,
  });
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClientSideConfigurationError(`Cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
}
