import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Stream, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputFile, labelledMessage, OutputFile } from '../../src/cli/files';

async function closed(stream: Stream & { readonly closed: boolean }): Promise<void> {
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
}

describe('OutputFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3-crypto-files-'));

  test('an error from upstream that tears down the output stream is not reported as a write error', async () => {
    const target = join(dir, 'plain.out');
    const output = await OutputFile.create(target, '--out');
    const tagFailure = new Error('the GCM tag did not verify');
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(tagFailure);
      },
    });
    const sink = output.stream();
    await expect(pipeline(source, sink)).rejects.toBe(tagFailure);
    await closed(sink); // the stream reports the error it was destroyed with only after the pipeline rejected
    expect(labelledMessage(tagFailure)).toBeUndefined();
    await output.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('the output stream\'s own I/O error names the flag and the target, not the temporary file', async () => {
    const output = await OutputFile.create(join(dir, 'full.out'), '--out');
    const sink = output.stream();
    const ioError = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
    const failed = pipeline(Readable.from([Buffer.alloc(1)]), sink);
    sink.destroy(ioError);
    await expect(failed).rejects.toBe(ioError);
    await closed(sink);
    expect(labelledMessage(ioError)).toBe(`cannot write --out ${join(dir, 'full.out')}: no space left on device (ENOSPC)`);
    await output.discard();
    expect(existsSync(join(dir, 'full.out'))).toBe(false);
  });
});

describe('InputFile', () => {
  test('an error from downstream that tears down the input stream is not reported as a read error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-crypto-files-'));
    writeFileSync(join(dir, 'plain.bin'), Buffer.alloc(256 * 1024));
    const input = await InputFile.open(join(dir, 'plain.bin'), '--in');
    const uploadFailure = new Error('the upload was refused');
    const refusing = new Writable({ write: (_chunk, _encoding, done) => done(uploadFailure) });
    const source = input.stream();
    await expect(pipeline(source, refusing)).rejects.toBe(uploadFailure);
    await closed(source);
    expect(labelledMessage(uploadFailure)).toBeUndefined();
  });
});
