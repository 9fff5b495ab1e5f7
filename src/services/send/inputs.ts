// Step 1, read inputs: who may read stdin, the recipients given as flags (or asked for), the body
// (--body, --body-file, stdin) and the recipient file (--to-file, stdin).
import { ErrorCode, InputError, UsageError, type ErrorCodeValue } from '../../errors/errors.js';
import { sanitizeForTerminal } from '../../output/sanitize.js';
import { constants as fsc, createReadStream, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { toCountryCode } from '../../recipients/e164.js';
import { scanRecipients, SpillError, type RecipientScan } from '../../recipients/list.js';
import type { SendPorts } from './ports.js';
import type { SendInputPorts, SendRequest } from './types.js';

/** What the plan is made from. */
export interface SendInputs {
  /** --to values (or the one typed at the prompt). */
  rawTo: string[];
  body?: string;
  /** Callers that already hold a recipient file's whole text (tests): it is parsed with the --to values. */
  file?: { source: string; text: string };
  /**
   * --to-file (with the --to values first), scanned as it streamed in: counts, the first problems, and the list
   * spilled to a temp file for sending (src/recipients/list.ts). The caller closes `scanned.list`.
   */
  scanned?: RecipientScan;
  defaultCountry?: string;
}

/** Throws a UsageError when more than one input asks for stdin (there is only one). */
export function checkStdinUse(request: Pick<SendRequest, 'body' | 'bodyFile' | 'toFile'>): void {
  const users = [request.body === '-' && '--body -', request.bodyFile === '-' && '--body-file -', request.toFile === '-' && '--to-file -'].filter(Boolean);
  if (users.length > 1) throw new UsageError(`stdin can feed only one input, but ${users.join(' and ')} both ask for it`, { code: ErrorCode.INVALID_ARGUMENT });
}

/** The --to values; with neither --to nor --to-file, asks for one, or says the flag is required. */
export async function recipientArgs(request: Pick<SendRequest, 'to' | 'toFile'>, ports: Pick<SendPorts, 'askRecipient'>): Promise<string[]> {
  if (request.to.length > 0 || request.toFile !== undefined) return [...request.to];
  if (!ports.askRecipient) {
    throw new UsageError('--to is required when not running interactively', {
      code: ErrorCode.MISSING_ARGUMENT,
      suggestion: 'Example: mms send --to +15551234567 --body "hi" (or --to-file numbers.csv)',
    });
  }
  return [await ports.askRecipient()];
}

/** Reads the body and the recipient file, and checks the default country; `maxBodyChars` measures templated texts. */
export async function readInputs(request: SendRequest, rawTo: string[], ports: SendPorts & SendInputPorts, maxBodyChars = Infinity): Promise<SendInputs> {
  const body = await readBody(request, ports);
  const defaultCountry = request.defaultCountry ?? ports.configuredCountry();
  if (defaultCountry !== undefined && !toCountryCode(defaultCountry)) {
    throw new UsageError(`--default-country "${defaultCountry}" is not a country code libphonenumber knows`, {
      code: ErrorCode.INVALID_ARGUMENT,
      suggestion: 'Use an ISO 3166 code such as US, GB or DE',
    });
  }
  const template = body !== undefined ? { body, maxChars: maxBodyChars } : undefined;
  const scanned = await readRecipientFile(request, rawTo, ports, { country: defaultCountry, template });
  return { rawTo, ...(body !== undefined ? { body } : {}), ...(scanned ? { scanned } : {}), ...(defaultCountry !== undefined ? { defaultCountry } : {}) };
}

// Far above any MMS text (1,600 characters): what is longer is not a message body (/dev/zero, a video piped in by mistake).
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: SendRequest, ports: SendPorts & SendInputPorts): Promise<string | undefined> {
  if (request.body === '-' || request.bodyFile === '-') {
    const flag = request.body === '-' ? '--body -' : '--body-file -';
    return (ports.stdinChunks ? await readBounded(ports.stdinChunks(), flag) : await ports.readStdin()).replace(/\r?\n$/, '');
  }
  if (request.bodyFile === undefined) return request.body;
  const text = await readText(ports, request.bodyFile, ErrorCode.BODY_UNREADABLE, '--body-file', 'Pass a readable text file, or --body "text"');
  return text.replace(/\r?\n$/, '');
}

/**
 * Scans --to-file (and the --to values) as it streams in (a file, or stdin): memory stays bounded by the longest
 * line (a line over 64 KiB is a problem naming file:line; a binary file stops at its first NUL byte) plus a compact
 * de-duplication set; the valid recipients go to a spill file that the send reads again (src/recipients/list.ts).
 */
async function readRecipientFile(
  request: SendRequest,
  rawTo: string[],
  ports: SendPorts & SendInputPorts,
  opts: { country: string | undefined; template: { body: string; maxChars: number } | undefined },
): Promise<RecipientScan | undefined> {
  if (request.toFile === undefined) return undefined;
  const common = { to: rawTo, ...(opts.country !== undefined ? { defaultCountry: opts.country } : {}), ...(opts.template ? { template: opts.template } : {}) };
  const path = request.toFile;
  try {
    const chunks = path !== '-' ? await openInput(path, ports.signal) : ports.stdinChunks ? ports.stdinChunks() : oneChunk(ports.readStdin());
    return await scanRecipients({ ...common, file: { chunks, source: path === '-' ? 'stdin' : path } });
  } catch (err) {
    if (ports.signal.aborted) throw ports.signal.reason;
    if (err instanceof SpillError) {
      throw new InputError(ErrorCode.RECIPIENT_INVALID, `--to-file ${sanitizeForTerminal(path)}: ${sanitizeForTerminal(err.message)}; nothing was sent`, {
        suggestion: 'Free some space there, or point TMPDIR at a disk with room for a copy of the list',
      });
    }
    if (path === '-') throw err;
    const suggestion = 'Pass a readable file with one number per line, or a CSV with a phone/to/number column ("-" reads stdin)';
    throw unreadable(err, path, ErrorCode.RECIPIENT_INVALID, '--to-file', suggestion);
  }
}

/**
 * A file as a stream of chunks. A FIFO (`--to-file <(cmd)`, mkfifo) is opened non-blocking and read through a
 * net.Socket: a blocking open or read would hold a libuv worker thread until a writer shows up, and then
 * neither Ctrl+C nor process exit could end the run. The socket waits in the event loop and ends on abort.
 */
async function openInput(path: string, signal: AbortSignal): Promise<AsyncIterable<Buffer | string>> {
  if (!(await stat(path)).isFIFO()) return createReadStream(path, { highWaterMark: 64 * 1024 });
  // A raw fd (not a FileHandle, which would close it when collected); O_NONBLOCK makes the open itself return at once.
  const socket = new Socket({ fd: openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK), readable: true, writable: false });
  const stop = (): void => {
    socket.destroy(signal.reason as Error);
  };
  signal.addEventListener('abort', stop, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', stop));
  return socket;
}

/** Reads a message body from a stream, refusing it (nothing sent) once it passes MAX_BODY_BYTES. */
async function readBounded(chunks: AsyncIterable<Buffer | string>, what: string): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const c of chunks) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    total += b.length;
    if (total > MAX_BODY_BYTES) {
      throw new InputError(ErrorCode.BODY_UNREADABLE, `${what}: more than 1 MiB, which is not a message body; nothing was sent`, {
        suggestion: 'Pass the message text (MMS text is at most 1,600 characters), e.g. --body "text" or --body-file message.txt',
      });
    }
    parts.push(b);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function* oneChunk(text: Promise<string>): AsyncIterable<string> {
  yield await text;
}

function unreadable(err: unknown, path: string, code: ErrorCodeValue, flag: string, suggestion: string): InputError {
  const errno = (err as NodeJS.ErrnoException).code;
  const why = errno === 'ENOENT' ? 'file not found' : errno === 'EISDIR' ? 'is a directory' : `cannot read (${errno ?? (err as Error).message})`;
  return new InputError(code, `${flag} ${sanitizeForTerminal(path)}: ${why}; nothing was sent`, { suggestion });
}

async function readText(ports: SendPorts, path: string, code: ErrorCodeValue, flag: string, suggestion: string): Promise<string> {
  try {
    // A regular file of a sane size is read at once; anything else (a FIFO, /dev/zero, a huge file) as a bounded stream.
    const isSmallFile = await stat(path).then(
      (st) => st.isFile() && st.size <= MAX_BODY_BYTES,
      () => true,
    );
    return isSmallFile
      ? (await ports.readFile(path)).toString('utf8')
      : await readBounded(await openInput(path, ports.signal), `${flag} ${sanitizeForTerminal(path)}`);
  } catch (err) {
    if (ports.signal.aborted) throw ports.signal.reason;
    if (err instanceof InputError) throw err;
    throw unreadable(err, path, code, flag, suggestion);
  }
}
