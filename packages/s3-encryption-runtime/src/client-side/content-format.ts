import { AlgorithmSuite } from './algorithm-suite';
import { CommitmentPolicy, policyRequiresCommittingEncryption } from './commitment-policy';
import { ClientSideConfigurationError } from './errors';

/** The metadata format (and content suite) this client writes. */
export enum ContentFormat {
  /** V2: `AES/GCM/NoPadding`, `x-amz-key-v2` metadata. Readable by every V2-capable S3 Encryption Client. */
  V2 = 'v2',
  /** V3: key-committing suite 0x0073, compact `x-amz-c/3/w/d/i/m/t` metadata. Needs Java ≥ 3.6, Go ≥ 3.2, .NET ≥ 4.0 or a V3 Ruby/PHP/C++/Python client to read. */
  V3 = 'v3',
}

/** Where the encryption metadata of an object is stored. */
export enum MetadataStrategy {
  /** As S3 user metadata on the object itself (the default). */
  OBJECT_METADATA = 'object-metadata',
  /** In a separate instruction-file object `<key>.instruction` (V3 keeps `x-amz-c/d/i` on the object). */
  INSTRUCTION_FILE = 'instruction-file',
}

const FORMATS_BY_NAME = new Map<string, ContentFormat>(Object.values(ContentFormat).map((f) => [f, f]));

/** Parses `v2`/`v3` (case-insensitive); throws ClientSideConfigurationError on anything else. */
export function parseContentFormat(name: string): ContentFormat {
  const format = FORMATS_BY_NAME.get(name.toLowerCase());
  if (format) return format;
  throw new ClientSideConfigurationError(`Unknown format ${JSON.stringify(name)}; use v3 (key-committing, the default) or v2.`);
}

/** The suite written for a format. */
export function suiteForFormat(format: ContentFormat): AlgorithmSuite {
  return format === ContentFormat.V3 ? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY : AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF;
}

/**
 * Resolves the written format and the policy from what the caller set:
 * - neither: V3 with REQUIRE_ENCRYPT_ALLOW_DECRYPT;
 * - only a policy: V2 for FORBID_ENCRYPT_ALLOW_DECRYPT, otherwise V3;
 * - only a format: V2 implies FORBID_ENCRYPT_ALLOW_DECRYPT, V3 implies REQUIRE_ENCRYPT_ALLOW_DECRYPT;
 * - both: they must agree, otherwise ClientSideConfigurationError.
 */
export function resolveFormatAndPolicy(format?: ContentFormat, policy?: CommitmentPolicy): { format: ContentFormat; policy: CommitmentPolicy } {
  if (format !== undefined && !Object.values(ContentFormat).includes(format)) {
    throw new ClientSideConfigurationError(`Unknown content format ${JSON.stringify(format)}; use ContentFormat.V3 or ContentFormat.V2.`);
  }
  if (policy !== undefined && !Object.values(CommitmentPolicy).includes(policy)) {
    throw new ClientSideConfigurationError(`Unknown commitment policy ${JSON.stringify(policy)}; use one of ${Object.values(CommitmentPolicy).join(', ')}.`);
  }
  if (policy === undefined) {
    if (format === ContentFormat.V2) return { format, policy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT };
    return { format: ContentFormat.V3, policy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT };
  }
  const required = policyRequiresCommittingEncryption(policy) ? ContentFormat.V3 : ContentFormat.V2;
  if (format !== undefined && format !== required) {
    throw new ClientSideConfigurationError(
      `Format ${format} conflicts with commitment policy ${policy}, which writes ${required}. ` +
        (format === ContentFormat.V2
          ? 'To write V2 use FORBID_ENCRYPT_ALLOW_DECRYPT (or leave the policy unset).'
          : 'To write V3 use REQUIRE_ENCRYPT_ALLOW_DECRYPT or REQUIRE_ENCRYPT_REQUIRE_DECRYPT.'),
    );
  }
  return { format: required, policy };
}
