// An IO over in-memory streams, for tests of renderers and of what IO itself writes: no terminal,
// an empty stdin, and stdout and stderr collected as text.
import { PassThrough, Readable } from 'node:stream';
import { createIO, type IO } from '../../src/output/io.js';

/** createIO with `flags` and `env` over in-memory streams; stdout() and stderr() return what was written so far. */
export function memoryIO(flags: Parameters<typeof createIO>[0] = {}, env: NodeJS.ProcessEnv = {}): { io: IO; stdout(): string; stderr(): string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const io = createIO(flags, env, { stdout: out, stderr: err, stdin: Readable.from([]) });
  return { io, stdout: () => stdout, stderr: () => stderr };
}
