import type { IO } from './io.js';
import { escapeJsonText } from './sanitize.js';

/**
 * JSON text that is also safe to `cat` in a terminal: C1 controls, bidi, separators and
 * zero-width characters inside strings are written as \uXXXX (JSON.stringify leaves them raw).
 */
export function toJsonText(value: unknown, indent?: number): string {
  return escapeJsonText(JSON.stringify(value, null, indent));
}

/** Writes exactly one JSON document to stdout. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(toJsonText(value, 2) + '\n');
}

/** Writes one NDJSON line to stdout (streaming commands). */
export function writeNdjson(io: IO, value: unknown): void {
  io.stdout.write(toJsonText(value) + '\n');
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
