import type { IO } from './io.js';

/** Writes exactly one JSON document to stdout. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Writes one NDJSON line to stdout (streaming commands). */
export function writeNdjson(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

/** Lines written together once per event-loop turn: one syscall for a burst instead of one per line. */
export interface LineWriter {
  write(line: string): void;
  flush(): void;
}

/** Creates a coalescing line writer over a stream (streaming output such as `mms listen`). */
export function createLineWriter(stream: NodeJS.WritableStream | import('node:stream').Writable): LineWriter {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    stream.write(text);
  };
  return {
    write(line) {
      pending.push(`${line}\n`);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
