/**
 * What {@link EncryptionGuardrails} does with a finding. An enum-like class: use the static members.
 */
export class GuardrailMode {
  /** Every finding is a warning in the validation report (acknowledgeable); synth succeeds. */
  public static readonly REPORT = new GuardrailMode('REPORT');
  /**
   * Every unacknowledged finding is an error in the validation report: synthesis fails
   * (`cdk synth` exits non-zero, `app.synth()` throws), naming the resource, rule, problem and fix.
   */
  public static readonly ENFORCE = new GuardrailMode('ENFORCE');
  /**
   * Plain `s3.Bucket`s and `CfnBucket`s are fixed where that is safe (default encryption, Bucket
   * Keys, the SSE-C block, TLS and encryption-header policies, public-access blocks), without
   * weakening anything and only in ways the AWS services that use a bucket (CloudTrail, load
   * balancer, CloudFront and VPC Flow Logs delivery, server access logs, origin access identities)
   * document they support; each such decision is an Info annotation naming the service and the
   * AWS page. What cannot be fixed safely is reported as a warning, with the reason.
   */
  public static readonly REMEDIATE = new GuardrailMode('REMEDIATE');

  private constructor(
    /** The member name. */
    public readonly name: string,
  ) {}

  /** The member name. */
  public toString(): string {
    return this.name;
  }
}
