import type { IO } from './io.js';

/** Writes exactly one JSON document to stdout. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Writes one NDJSON line to stdout (streaming commands). */
export function writeNdjson(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}
