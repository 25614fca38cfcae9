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
import { type CliContext, UsageError } from './command';
import { fsReason } from './files';
import { type OptionDefs, type OptionGroup, optionalString, type OptionValues } from './options';

/** Which way a command uses client-side keys. */
export interface ClientSideUse {
  /** `write`: encrypt / put; `read`: decrypt / get. */
  readonly direction: 'write' | 'read';
  /** The command can write plaintext to stdout (`get`), where buffered authentication applies. @default false */
  readonly toStdout?: boolean;
}

/** The options that select a key (for "a key is required" messages). */
export const CLIENT_SIDE_KEY_SELECTING_OPTIONS = ['aes-key-file', 'rsa-public-key', 'rsa-private-key', 'kms-key-id'] as const;

/**
 * The client-side encryption options of a command, by use: `encrypt`/`put` list what writing needs,
 * `decrypt`/`get` what reading needs, and only `get` (which can write to stdout) the authentication
 * buffer options. Parsing and help both come from these groups.
 */
export function clientSideOptionGroups(use: ClientSideUse): OptionGroup[] {
  const write = use.direction === 'write';
  const key: OptionDefs = {
    'aes-key-file': { type: 'string', value: 'FILE', help: 'raw AES-256 wrapping key: 32 raw bytes, or their base64 text' },
    ...(write ? { 'rsa-public-key': { type: 'string', value: 'FILE', help: 'RSA public key (PEM) to encrypt with' } } : {}),
    'rsa-private-key': { type: 'string', value: 'FILE', help: write ? 'RSA private key (PEM); its public half encrypts' : 'RSA private key (PEM) to decrypt with' },
    'kms-key-id': { type: 'string', value: 'ID', help: 'AWS KMS key id, ARN or alias' },
  };
  const tuning: OptionDefs = {
    'kms-region': { type: 'string', value: 'REGION', help: 'region of the KMS key (default: the region of a key ARN,\nelse AWS_REGION / profile)' },
    context: {
      type: 'string', multiple: true, value: 'KEY=VALUE',
      help: write ? 'KMS encryption context entry (repeatable), stored in clear with the object' : 'an entry of the KMS encryption context the object must have (repeatable)',
    },
    ...(write ? {
      format: { type: 'string', value: 'v3|v2', help: 'format written (default v3, key-committing; v2 for readers not yet upgraded)' },
    } : {}),
    'commitment-policy': {
      type: 'string', value: 'POLICY',
      help: 'FORBID_ENCRYPT_ALLOW_DECRYPT | REQUIRE_ENCRYPT_ALLOW_DECRYPT (default)\n| REQUIRE_ENCRYPT_REQUIRE_DECRYPT (reads V3 only)',
    },
    ...(write ? {
      'instruction-file': { type: 'boolean', help: 'write the key metadata to an instruction file instead of object metadata' },
    } : {
      legacy: { type: 'boolean', help: 'read legacy objects (V1/AES-CBC content, kms/AESWrap/unlabelled wraps)' },
    }),
    ...(use.toStdout ? {
      'delayed-authentication': {
        type: 'boolean',
        help: 'stdout only: stream plaintext before the GCM tag is checked (objects above\n--buffer-size); a tampered object fails only at the end',
      },
      'buffer-size': {
        type: 'string', value: 'BYTES',
        help: 'stdout only: largest plaintext held until the tag verifies (default 64MiB;\nKiB/MiB/GiB suffixes). --file needs neither: it is verified before the rename',
      },
    } : {}),
  };
  return [
    { title: 'Client-side key (exactly one)', options: key },
    { title: 'Client-side options', options: tuning },
  ];
}

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
  /** Region of the KMS client. @default the region of an ARN key id, else the AWS SDK's default resolution */
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
  /** `--delayed-authentication` (stdout output only). */
  readonly delayedAuthentication: boolean;
  /** `--buffer-size` in bytes (stdout output only). */
  readonly bufferSize?: number;
}

/** True if any client-side option was given (`put`/`get` then use client-side encryption). */
export function hasClientSideOption(values: OptionValues, use: ClientSideUse): boolean {
  return clientSideOptionGroups(use).some((g) => Object.keys(g.options).some((o) => values[o] !== undefined));
}

/** Validates the parsed option values; throws ClientSideConfigurationError naming the flag to change. */
export function clientSideKeyOptionsFrom(values: OptionValues, use: ClientSideUse): ClientSideKeyOptions {
  const str = (name: string) => optionalString(values, name);
  const sources = (['aes-key-file', 'kms-key-id'] as const).filter((k) => str(k)).length + (str('rsa-public-key') || str('rsa-private-key') ? 1 : 0);
  const keyChoices = `--aes-key-file FILE, ${use.direction === 'write' ? '--rsa-public-key/' : ''}--rsa-private-key FILE, or --kms-key-id ID`;
  if (sources === 0) throw new ClientSideConfigurationError(`Give a key: ${keyChoices}.`);
  if (sources > 1) throw new ClientSideConfigurationError(`Give exactly one kind of key: ${keyChoices}.`);
  const context = Array.isArray(values.context) ? values.context.map(String) : [];
  if (context.length && !str('kms-key-id')) {
    throw new ClientSideConfigurationError('--context applies to KMS keys only (--kms-key-id); raw AES/RSA keys have no encryption context.');
  }
  if (str('kms-region') && !str('kms-key-id')) throw new ClientSideConfigurationError('--kms-region applies to KMS keys only (--kms-key-id).');
  if (values['buffer-size'] !== undefined && values['delayed-authentication']) {
    throw new ClientSideConfigurationError('--buffer-size applies to buffered authentication; drop it or drop --delayed-authentication.');
  }
  const format = str('format');
  const policy = str('commitment-policy');
  return {
    aesKeyFile: str('aes-key-file'),
    rsaPublicKey: str('rsa-public-key'),
    rsaPrivateKey: str('rsa-private-key'),
    kmsKeyId: str('kms-key-id'),
    kmsRegion: str('kms-region'),
    encryptionContext: parseContextPairs(context),
    format: format === undefined ? undefined : withFlag('--format', () => parseContentFormat(format)),
    commitmentPolicy: policy === undefined ? undefined : withFlag('--commitment-policy', () => parseCommitmentPolicy(policy)),
    legacy: values.legacy === true,
    instructionFile: values['instruction-file'] === true,
    delayedAuthentication: values['delayed-authentication'] === true,
    bufferSize: typeof values['buffer-size'] === 'string' ? parseByteSize(values['buffer-size']) : undefined,
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

/** Parses `1048576`, `64MiB`, `512KiB`, `1GiB` (for `--buffer-size`). */
export function parseByteSize(text: string): number {
  const m = /^(\d+)\s*(KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) throw new ClientSideConfigurationError(`--buffer-size ${JSON.stringify(text)} must be a number of bytes, optionally with KiB, MiB or GiB.`);
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = Number(m[1]) * (unit === 'kib' ? 1024 : unit === 'mib' ? 1024 ** 2 : unit === 'gib' ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(bytes) || bytes < 16 || bytes > 64 * 1024 ** 3) {
    throw new ClientSideConfigurationError(`--buffer-size ${JSON.stringify(text)} must be between 16 bytes and 64GiB.`);
  }
  return bytes;
}

/** Reads a raw AES key file (`--aes-key-file`): exactly 32 bytes, or the base64 text of 32 bytes (whitespace ignored). */
export function readAesKeyFile(path: string): Buffer {
  const raw = readFile(path, '--aes-key-file');
  if (raw.length === 32) return raw;
  const text = raw.toString('latin1').trim();
  const decoded = /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  raw.fill(0);
  if (!decoded || decoded.length !== 32) {
    throw new ClientSideConfigurationError(`--aes-key-file ${path} must hold a 256-bit AES key: 32 raw bytes, or those bytes in base64 (44 characters). Create one with: head -c 32 /dev/urandom > ${path}`);
  }
  return decoded;
}

/** Optional hooks of {@link keyringFromOptions}. */
export interface KeyringFromOptionsDeps {
  /** KMS client for `--kms-key-id`. @default new KMSClient({ region: --kms-region, or the region of an ARN key id }) */
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
    const privateKey = opts.rsaPrivateKey ? readFile(opts.rsaPrivateKey, '--rsa-private-key') : undefined;
    if (privateKey) deps.addSecret?.(privateKey);
    return new RawRsaKeyring({ publicKey: opts.rsaPublicKey ? readFile(opts.rsaPublicKey, '--rsa-public-key') : undefined, privateKey });
  }
  const region = opts.kmsRegion ?? /^arn:[^:]+:kms:([^:]+):/.exec(opts.kmsKeyId ?? '')?.[1];
  return new KmsKeyring({ client: deps.kmsClient ?? new KMSClient(region ? { region } : {}), keyId: opts.kmsKeyId });
}

/**
 * The ClientSideEncryption the options describe. `verifiedIntoFile`: the plaintext goes to a temporary
 * file renamed into place only after the GCM tag verified, so it streams (delayed authentication) in
 * constant memory at any size without releasing unauthenticated plaintext.
 */
export function clientSideEncryptionFromOptions(opts: ClientSideKeyOptions, keyring: Keyring, output: { verifiedIntoFile?: boolean } = {}): ClientSideEncryption {
  const delayed = output.verifiedIntoFile === true || opts.delayedAuthentication;
  return new ClientSideEncryption({
    keyring,
    format: opts.format,
    commitmentPolicy: opts.commitmentPolicy,
    metadataStrategy: opts.instructionFile ? MetadataStrategy.INSTRUCTION_FILE : MetadataStrategy.OBJECT_METADATA,
    enableLegacyWrappingAlgorithms: opts.legacy,
    enableLegacyUnauthenticatedModes: opts.legacy,
    enableDelayedAuthentication: delayed,
    ...(delayed ? {} : { bufferSize: opts.bufferSize }),
  });
}

/** Runs a runtime parser, prefixing its complaint with the flag that carried the value. */
function withFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ClientSideConfigurationError) throw new ClientSideConfigurationError(`${flag}: ${err.message}`);
    throw err;
  }
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClientSideConfigurationError(`cannot read ${flag} ${path}: ${fsReason(err)}`);
  }
}

/**
 * Validates the client-side options and builds the client; option mistakes (no key, two keys,
 * unreadable key files, bad --format/--commitment-policy/--context) become usage errors.
 */
export function clientFromValues(
  values: OptionValues,
  ctx: Pick<CliContext, 'addSecret'>,
  deps: Pick<KeyringFromOptionsDeps, 'kmsClient'>,
  use: ClientSideUse,
  output: { verifiedIntoFile?: boolean } = {},
): { opts: ClientSideKeyOptions; client: ClientSideEncryption } {
  try {
    const opts = clientSideKeyOptionsFrom(values, use);
    const keyring = keyringFromOptions(opts, { kmsClient: deps.kmsClient, addSecret: ctx.addSecret });
    return { opts, client: withFlag('--format / --commitment-policy', () => clientSideEncryptionFromOptions(opts, keyring, output)) };
  } catch (err) {
    if (err instanceof ClientSideConfigurationError) throw new UsageError(err.message);
    throw err;
  }
}
