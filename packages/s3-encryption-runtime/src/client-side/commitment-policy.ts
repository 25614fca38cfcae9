import { type AlgorithmSuite } from './algorithm-suite';
import { CommitmentPolicyError, ClientSideConfigurationError } from './errors';

/**
 * Key-commitment policy, named as the official S3 Encryption Clients name it.
 * Decides which format is written and which formats may be read.
 */
export enum CommitmentPolicy {
  /** Write V2 (non-committing); read V2 and V3. For fleets whose readers cannot read V3 yet. */
  FORBID_ENCRYPT_ALLOW_DECRYPT = 'FORBID_ENCRYPT_ALLOW_DECRYPT',
  /** Write V3 (key-committing); read V2 and V3. This library's default: safe writes, reads old objects. */
  REQUIRE_ENCRYPT_ALLOW_DECRYPT = 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  /** Write V3; read only V3 (V1/V2 objects are rejected before any key is unwrapped). The v4 official clients' default. */
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
}

/** Parses a policy name (as used on the CLI); throws ClientSideConfigurationError on anything else. */
export function parseCommitmentPolicy(name: string): CommitmentPolicy {
  const all = Object.values(CommitmentPolicy) as string[];
  if (!all.includes(name)) {
    throw new ClientSideConfigurationError(`Unknown commitment policy ${JSON.stringify(name)}; use one of ${all.join(', ')}.`);
  }
  return name as CommitmentPolicy;
}

/**
 * Throws CommitmentPolicyError unless `policy` allows decrypting objects of `suite`.
 * Called before any key is unwrapped.
 */
export function assertPolicyAllowsDecrypt(policy: CommitmentPolicy, suite: AlgorithmSuite): void {
  if (policy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT && !suite.committing) {
    throw new CommitmentPolicyError(
      `The object uses ${suite.toString()}, which does not commit to its key, and the commitment policy ` +
        'REQUIRE_ENCRYPT_REQUIRE_DECRYPT reads only key-committing (V3) objects. ' +
        'To read V1/V2 objects use REQUIRE_ENCRYPT_ALLOW_DECRYPT (CLI: --commitment-policy REQUIRE_ENCRYPT_ALLOW_DECRYPT), or re-encrypt the object in V3.',
    );
  }
}

/** True if the policy requires the committing suite (V3) when encrypting. */
export function policyRequiresCommittingEncryption(policy: CommitmentPolicy): boolean {
  return policy !== CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT;
}
