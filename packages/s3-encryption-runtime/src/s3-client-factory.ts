import * as https from 'node:https';
import * as tls from 'node:tls';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3EncryptionError } from './errors';

/**
 * Thrown when an S3 endpoint is plain `http://` (or TLS is switched off) and the caller did not
 * explicitly allow it. Customer-provided keys and client-side data keys travel in request headers
 * or are derived from requests: over plain HTTP anyone on the path can read them.
 */
export class InsecureEndpointError extends S3EncryptionError {
  /** The endpoint that was refused (no credentials are ever part of it). */
  public readonly endpoint: string;

  /**
   * @param endpoint the refused endpoint
   * @param detail what refused it (our check, or the server)
   */
  constructor(endpoint: string, detail?: string) {
    super(
      'InsecureEndpoint',
      `refusing plain-HTTP S3 endpoint ${endpoint}: ${detail ?? 'encryption keys would travel unencrypted'}. ` +
        'Use an https:// endpoint; only tests against a local server may pass allowInsecureHttp: true.',
    );
    this.endpoint = endpoint;
  }
}

/** How the SDK adds flexible checksums (CRC32 and friends) to requests and checks them on responses. */
export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

/** Options of {@link createS3Client}. */
export interface S3ClientFactoryOptions {
  /**
   * S3-compatible endpoint, e.g. `https://127.0.0.1:7443`.
   * @default - AWS's regional S3 endpoint (always HTTPS)
   */
  readonly endpoint?: string;
  /**
   * Region used for signing and, on AWS, for the endpoint.
   * @default - `AWS_REGION`, then the SDK's own resolution (profile, IMDS)
   */
  readonly region?: string;
  /**
   * Address buckets as `https://host/bucket/key` instead of `https://bucket.host/key`.
   * Needed for most S3-compatible servers (radosgw, MinIO) and for bucket names with dots.
   * @default false
   */
  readonly forcePathStyle?: boolean;
  /**
   * PEM certificate(s) to trust for the endpoint, in addition to Node's built-in CAs;
   * for servers with a private or self-signed certificate.
   * @default - Node's built-in CAs only
   */
  readonly caCert?: string | Buffer;
  /**
   * Credentials to sign with.
   * @default - the SDK's default provider chain (environment, profile, container, instance role)
   */
  readonly credentials?: S3ClientConfig['credentials'];
  /**
   * Allow a plain `http://` endpoint. Keys and data would travel unencrypted: only for tests
   * against a server on loopback.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * When the SDK computes request checksums and validates response checksums.
   * `WHEN_SUPPORTED` (the SDK's default) sends streaming uploads as `aws-chunked` with a trailing
   * checksum; S3-compatible servers that predate flexible checksums (Ceph radosgw up to Pacific,
   * older MinIO) answer `411 MissingContentLength`. `WHEN_REQUIRED` sends plain bodies and relies
   * on TLS for integrity in transit.
   * @default - `WHEN_SUPPORTED` on AWS (no `endpoint`), `WHEN_REQUIRED` with a custom `endpoint`
   */
  readonly checksums?: ChecksumMode;
  /**
   * Maximum concurrent sockets to the endpoint.
   * @default 50 (the SDK's default)
   */
  readonly maxSockets?: number;
  /**
   * Extra S3Client settings, applied last (e.g. `maxAttempts`, `logger`).
   * @default - none
   */
  readonly clientConfig?: S3ClientConfig;
}

/**
 * Builds an `S3Client` for AWS or an S3-compatible server with safe defaults: HTTPS only,
 * optional private CA, path-style addressing on request, and checksums that the server supports.
 * Throws {@link InsecureEndpointError} for a plain-HTTP endpoint unless `allowInsecureHttp` is set.
 */
export function createS3Client(options: S3ClientFactoryOptions = {}): S3Client {
  if (options.endpoint !== undefined) {
    assertSecureEndpoint(options.endpoint, options.allowInsecureHttp ?? false);
  }
  const checksums: ChecksumMode = options.checksums ?? (options.endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED');
  const maxSockets = options.maxSockets ?? 50;
  const requestHandler = new NodeHttpHandler({
    httpsAgent: new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(options.caCert !== undefined ? { ca: withSystemCas(options.caCert) } : {}),
    }),
    httpAgent: { keepAlive: true, maxSockets },
  });
  return new S3Client({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    requestHandler,
    ...options.clientConfig,
  });
}

/**
 * Throws {@link InsecureEndpointError} unless `endpoint` is `https://` (or plain HTTP is allowed).
 * Also rejects strings that are not absolute URLs, naming the expected form.
 */
export function assertSecureEndpoint(endpoint: string, allowInsecureHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new S3EncryptionError('InvalidEndpoint', `S3 endpoint "${endpoint}" is not a URL; expected e.g. https://s3.example.com:443`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (!allowInsecureHttp) throw new InsecureEndpointError(url.origin);
    return;
  }
  throw new S3EncryptionError('InvalidEndpoint', `S3 endpoint "${url.origin}" has protocol ${url.protocol}; expected https://`);
}

/**
 * Resolves the endpoint a ready-made `S3Client` will use and applies {@link assertSecureEndpoint};
 * also refuses `tls: false`. Clients without a custom endpoint go to AWS over HTTPS.
 */
export async function assertClientUsesTls(client: S3Client, allowInsecureHttp: boolean): Promise<void> {
  await checkClientTls(client, allowInsecureHttp);
}

/**
 * {@link assertClientUsesTls} run once per client and remembered; a failed check is run again next time,
 * so a caller can fix and retry. Resolves to the endpoint when it is an allowed plain-HTTP one (for error
 * messages), else to undefined. Internal: not exported from the runtime entry point.
 * @internal
 */
export function memoizedTlsCheck(client: S3Client, allowInsecureHttp: boolean): () => Promise<string | undefined> {
  let checked: Promise<string | undefined> | undefined;
  return () => {
    if (checked) return checked;
    const check = checkClientTls(client, allowInsecureHttp);
    check.catch(() => {
      if (checked === check) checked = undefined;
    });
    checked = check;
    return check;
  };
}

/** {@link assertClientUsesTls}; resolves to the endpoint when it is an allowed plain-HTTP one. */
async function checkClientTls(client: S3Client, allowInsecureHttp: boolean): Promise<string | undefined> {
  const config = client.config as { endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number }>; tls?: boolean };
  if (config.tls === false && !allowInsecureHttp) {
    throw new InsecureEndpointError('(S3Client with tls: false)');
  }
  if (typeof config.endpoint !== 'function') return undefined;
  const ep = await config.endpoint();
  const protocol = ep.protocol.endsWith(':') ? ep.protocol : `${ep.protocol}:`;
  const origin = `${protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}`;
  assertSecureEndpoint(origin, allowInsecureHttp);
  return protocol === 'http:' ? origin : undefined;
}

function withSystemCas(extra: string | Buffer): string[] {
  // `ca` replaces Node's trust store; keep the built-in roots so AWS endpoints still verify.
  return [...tls.rootCertificates, extra.toString()];
}
