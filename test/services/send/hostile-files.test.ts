// What a user found by using `mms send` on awkward files (QA pass on #8 and #14): a FIFO with no writer
// must not make Ctrl+C useless, a media file deleted or rewritten between the checks and the send is an
// input error (exit 5), not "This is a bug" (exit 1), and --status-callback credentials never reach output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { callbackSecrets } from '../../../src/commands/send.js';
import { fitPlanMedia } from '../../../src/services/send/fit.js';
import { sendMessages, type SendPlan } from '../../../src/services/send/index.js';
import { twilioAdapter } from '../../../src/providers/twilio/adapter.js';
import { sendPortsFor, sendRequest, useSendHarness } from './harness.js';

const h = useSendHarness();
const canFifo = process.platform === 'linux' && spawnSync('mkfifo', ['--version'], { stdio: 'ignore' }).status === 0;

function makeFifo(name: string): string {
  const path = join(h.dir, name);
  rmSync(path, { force: true });
  spawnSync('mkfifo', [path]);
  return path;
}

/** True while this process holds an open descriptor on `path` (Linux /proc). */
function holdsOpen(path: string): boolean {
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

// A PNG signature and enough bytes to be sniffed as image/png.
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);

describe.skipIf(!canFifo)('--to-file and --body-file on a FIFO', () => {
  it('Ctrl+C ends the run while the FIFO has no writer (exit 130, nothing sent)', async () => {
    const fifo = makeFifo('nobody-writes');
    const ctl = new AbortController();
    const running = h.run(['send', '--to-file', fifo, '--body', 'x'], { signal: ctl.signal });
    // Opened without blocking a thread: the descriptor is held while it waits for a writer.
    await vi.waitFor(() => expect(holdsOpen(fifo)).toBe(true));
    ctl.abort();
    const r = await running;
    expect(r.code).toBe(130);
    expect(h.messages()).toHaveLength(0);
    expect(holdsOpen(fifo)).toBe(false);
  });

  it('reads what a writer sends (as with --to-file <(cmd)), for recipients and the body', async () => {
    const to = makeFifo('to.fifo');
    const body = makeFifo('body.fifo');
    // Opening a FIFO for writing waits for the reader: these resolve once mms reads them.
    const writers = [writeFile(to, '+15551230001\n+15551230002\n'), writeFile(body, 'from a pipe\n')];
    const r = await h.run(['send', '--to-file', to, '--body-file', body, '--dry-run', '--json']);
    await Promise.all(writers);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.plan.recipients).toEqual(['+15551230001', '+15551230002']);
    expect(doc.plan.body).toBe('from a pipe');
  });
});

describe('a media file that changes after it was checked', () => {
  it('deleted before serving: MEDIA_NOT_FOUND naming the file (exit 5), nothing sent', async () => {
    const path = join(h.dir, 'gone.png');
    writeFileSync(path, png);
    const ports = sendPortsFor(h, {
      readFile: async (p: string) => {
        rmSync(p, { force: true });
        return readFile(p);
      },
    });
    const request = sendRequest({ to: ['+15551234567'], body: 'x', media: [path] });
    await expect(sendMessages(request, ports)).rejects.toMatchObject({
      code: 'MEDIA_NOT_FOUND',
      exitCode: 5,
      message: `--media ${path}: file not found (removed or renamed after it was checked; nothing was sent)`,
    });
    expect(h.messages()).toHaveLength(0);
  });

  it('rewritten with another size before serving: refused (what is sent must be what was checked)', async () => {
    const path = join(h.dir, 'grows.png');
    writeFileSync(path, png);
    const ports = sendPortsFor(h, { readFile: async () => Buffer.concat([png, Buffer.alloc(10)]) });
    await expect(sendMessages(sendRequest({ to: ['+15551234567'], body: 'x', media: [path] }), ports)).rejects.toMatchObject({
      code: 'MEDIA_UNREADABLE',
      exitCode: 5,
      message: expect.stringContaining(`changed while mms was using it (${png.length} bytes when checked, ${png.length + 10} now)`),
    });
    expect(h.messages()).toHaveLength(0);
  });

  it('deleted before fitting: MEDIA_NOT_FOUND, not an internal error', async () => {
    const dir = join(h.dir, 'fit-gone');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'photo.jpg');
    const item = { input: 'photo.jpg', kind: 'file' as const, path, fileName: 'photo.jpg', contentType: 'image/jpeg', size: 900_000 };
    const plan = { media: [item], warnings: [] } as unknown as SendPlan;
    const ctx = { adapter: twilioAdapter, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') }, signal: new AbortController().signal, events: {} };
    await expect(fitPlanMedia({ fit: true, dryRun: false }, plan, ctx)).rejects.toMatchObject({
      code: 'MEDIA_NOT_FOUND',
      exitCode: 5,
      message: '--media photo.jpg: file not found (removed or renamed after it was checked; nothing was sent)',
    });
  });
});

describe('--status-callback with user:password', () => {
  const secret = 'S3cretPass';
  const callback = `http://cbuser:${secret}@127.0.0.1:9/status`;

  it('is accepted, and the credentials appear nowhere: --json, --debug (form body), dry-run plan', async () => {
    const sent = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--status-callback', callback, '--json', '--debug']);
    expect(sent.code).toBe(0);
    const dry = await h.run(['send', '--to', '+15551234567', '--body', 'x', '--status-callback', callback, '--dry-run', '--debug']);
    expect(dry.code).toBe(0);
    const printed = sent.stdout + sent.stderr + dry.stdout + dry.stderr;
    expect(sent.stderr).toContain('StatusCallback=');
    for (const form of [secret, encodeURIComponent(`cbuser:${secret}`)]) expect(printed).not.toContain(form);
    // The provider still gets them: it needs them to call back.
    expect(h.messages()[0]?.statusCallback).toBe(callback);
  });

  it('masks a password too short to mask alone through the user:password pair', () => {
    expect(callbackSecrets('https://ann:pw@example.com/cb')).toEqual(['pw', 'ann:pw']);
    expect(callbackSecrets('https://a%40b:p%2Fw@example.com/cb')).toEqual(['p%2Fw', 'p/w', 'a%40b:p%2Fw', 'a@b:p/w']);
    expect(callbackSecrets('https://tokenonly@example.com/cb')).toEqual(['tokenonly', 'tokenonly']);
    expect(callbackSecrets('https://example.com/cb')).toEqual([]);
    expect(callbackSecrets(undefined)).toEqual([]);
  });
});

describe('file names are made safe before the fit engine puts them in a message', () => {
  it('an escape sequence and a bidi override in a name reach the error as \\uXXXX', async () => {
    const dir = join(h.dir, 'evil-name');
    mkdirSync(dir, { recursive: true });
    const input = 'evil\u001b[31m\u202e.mp4';
    const path = join(dir, input);
    // An MP4 header and 700,000 bytes: over Twilio's 500 KiB for non-images, and no ffmpeg to fit it.
    writeFileSync(path, Buffer.concat([Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isommp41', 'latin1'), Buffer.alloc(700_000, 1)]));
    const item = { input, kind: 'file' as const, path, fileName: input, contentType: 'video/mp4', size: 700_024 };
    const plan = { media: [item], warnings: [] } as unknown as SendPlan;
    const ctx = { adapter: twilioAdapter, env: { PATH: '', XDG_CACHE_HOME: join(dir, 'cache') }, signal: new AbortController().signal, events: {} };
    const err = (await fitPlanMedia({ fit: true, dryRun: true }, plan, ctx).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^--media evil\\u001b\[31m\\u202e\.mp4: 684 KB is over its 500 KB budget/);
    expect(err.message).not.toMatch(/[\u001b\u202e]/);
  });
});

describe('a message body that is not one', () => {
  it.each([
    [['--body-file', '/dev/zero'], undefined, '--body-file /dev/zero: more than 1 MiB'],
    [['--body', '-'], 'x'.repeat(2 * 1024 * 1024), '--body -: more than 1 MiB'],
  ])('%j is refused after 1 MiB with exit 5, memory bounded', async (flags, input, message) => {
    const r = await h.run(['send', '--to', '+15551234567', ...flags], input === undefined ? {} : { input });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Error: ${message}, which is not a message body; nothing was sent`);
    expect(h.messages()).toHaveLength(0);
  });
});
