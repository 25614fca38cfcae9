/**
 * Helpers for the client-side S3 tests (test/integ/client-side-*.test.ts): fault injection on a real
 * S3Client, reading a plaintext stream while counting what it released, and raw object access.
 */
import type { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Makes `client` fail the requests `match` selects, before they are sent (everything else goes to the
 * real server). Returns a function that removes the fault. The error looks like an S3 500 so the SDK
 * would normally retry it; `retryable: false` marks it as a non-retryable 400 instead.
 */
export function injectFault(
  client: S3Client,
  match: (commandName: string, input: Record<string, unknown>) => boolean,
  options: { retryable?: boolean; name?: string } = {},
): () => void {
  const name = `injectFault-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (match(context.commandName ?? '', args.input as Record<string, unknown>)) {
        throw Object.assign(new Error(`injected fault on ${context.commandName}`), {
          name: options.name ?? 'InjectedFault',
          $metadata: { httpStatusCode: options.retryable ? 500 : 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}

/** Reads a plaintext stream to the end, counting the bytes it released before it failed (if it did). */
export async function drain(stream: Readable): Promise<{ bytes: number; data: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const c of stream) {
      bytes += (c as Buffer).length;
      chunks.push(c as Buffer);
    }
    return { bytes, data: Buffer.concat(chunks) };
  } catch (error) {
    return { bytes, data: Buffer.concat(chunks), error };
  }
}

/** The stored bytes and user metadata of an object, read with a plain S3 client. */
export async function rawGet(client: S3Client, bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string>; contentType?: string }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await out.Body!.transformToByteArray()), metadata: out.Metadata ?? {}, contentType: out.ContentType };
}

/** Overwrites an object's body and/or user metadata with a plain S3 client (an attacker with write access). */
export async function rawPut(client: S3Client, bucket: string, key: string, body: Buffer, metadata: Record<string, string>): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }));
}

/** Replaces only an object's user metadata (CopyObject onto itself, MetadataDirective REPLACE). */
export async function rawReplaceMetadata(client: S3Client, bucket: string, key: string, metadata: Record<string, string>): Promise<void> {
  await client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(key)}`, MetadataDirective: 'REPLACE', Metadata: metadata }));
}

/** True if the object exists. */
export async function exists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}
