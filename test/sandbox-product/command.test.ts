// `mms sandbox` as a user meets it: a short banner without secrets, credentials that survive a
// restart, NDJSON lines keyed by `type`, a clean stop, and the `wait` / `inbound` clients.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess, startInProcess } from '../helpers/run-in-process.js';
import { tempConfigDir } from '../helpers/run-cli.js';

const cfg = tempConfigDir();
afterAll(() => cfg.cleanup());
const opts = { configDir: cfg.dir };

function savedSecrets(): string[] {
  const file = JSON.parse(readFileSync(join(cfg.dir, 'sandbox', 'credentials.json'), 'utf8')) as { providers: Record<string, Record<string, string>> };
  return Object.values(file.providers).flatMap((c) =>
    Object.entries(c)
      .filter(([k]) => k !== 'region' && k !== 'accountId')
      .map(([, v]) => v),
  );
}

describe('mms sandbox', () => {
  it('prints a banner of at most 12 lines with no secret, keeps the credentials, and stops on one Ctrl+C with exit 0', async () => {
    const first = startInProcess(['sandbox', '--port', '0'], opts);
    await first.waitForStderr('Press Ctrl+C to stop.');
    const banner = first.stderr().trimEnd().split('\n');
    expect(banner.length).toBeLessThanOrEqual(12);
    expect(banner.join('\n')).toContain('credentials  new, kept in');
    expect(Math.max(...banner.map((l) => l.length))).toBeLessThanOrEqual(120);
    for (const secret of savedSecrets()) expect(first.stderr()).not.toContain(secret);
    first.abort();
    const done = await first.exited();
    expect(done.code).toBe(0);
    expect(done.stderr.trimEnd().split('\n').at(-1)).toBe('Sandbox stopped.');
    expect(done.stderr).not.toContain('Interrupted');

    const second = startInProcess(['sandbox', '--port', '0', '--show-credentials'], opts);
    await second.waitForStderr('Press Ctrl+C to stop.');
    expect(second.stderr()).toContain('credentials  same as last time');
    const twilioToken = (JSON.parse(readFileSync(join(cfg.dir, 'sandbox', 'credentials.json'), 'utf8')) as { providers: { twilio: { authToken: string } } })
      .providers.twilio.authToken;
    expect(second.stderr()).toContain(twilioToken);
    // A PEM key is not poured into the terminal even then.
    expect(second.stderr()).not.toContain('BEGIN PRIVATE KEY');
    second.abort();
    expect((await second.exited()).code).toBe(0);
  });

  it('--json: the ready line and the event lines carry `type`, not `event`; the ready line has the credentials', async () => {
    const sb = startInProcess(['sandbox', '--port', '0', '--json', '--memory'], opts);
    const ready = await sb.waitForJson<{ type: string; origin: string; providers: { twilio: { credentials: { authToken: string } } } }>(
      (o) => o.type === 'ready',
    );
    expect(ready).not.toHaveProperty('event');
    expect(ready).toMatchObject({ webPhone: `${ready.origin}/`, dataDir: null, credentialsFile: join(cfg.dir, 'sandbox', 'credentials.json') });
    expect(savedSecrets()).toContain(ready.providers.twilio.credentials.authToken);
    const inbound = await runInProcess(['sandbox', 'inbound', '--to', '+15005550006', '--from', '+15551234567', '--body', 'hi', '--url', ready.origin], opts);
    expect(inbound.code).toBe(0);
    const line = await sb.waitForJson<{ type: string; message: { body: string } }>((o) => o.type === 'message');
    expect(line.message.body).toBe('hi');
    expect(sb.lines.some((l) => l.includes('"event"'))).toBe(false);
    sb.abort();
    expect((await sb.exited()).code).toBe(0);
  });

  it('sandbox wait / inbound find the running sandbox through its state file; wait exits 8 when nothing comes', async () => {
    const sb = startInProcess(['sandbox', '--port', '0', '--json', '--memory'], opts);
    await sb.waitForJson((o) => o.type === 'ready');
    const png = join(cfg.dir, 'pic.png');
    writeFileSync(png, readFileSync(new URL('../fixtures/media/pixel.png', import.meta.url)));
    const sent = await runInProcess(
      ['sandbox', 'inbound', '--to', '+15005550006', '--from', '+15557654321', '--body', 'photo', '--media', png, '--json'],
      opts,
    );
    expect(sent.code).toBe(0);
    const injected = JSON.parse(sent.stdout) as { message: { id: string; media: Array<{ contentType: string }> }; webhooks: unknown[] };
    expect(injected.message.media.map((m) => m.contentType)).toEqual(['image/png']);
    expect(injected.webhooks).toEqual([]);

    const waited = await runInProcess(['sandbox', 'wait', '--from', '+15557654321', '--timeout', '5', '--json'], opts);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id: injected.message.id, body: 'photo' });
    const human = await runInProcess(['sandbox', 'wait', '--to', '+15005550006', '--from', '+15557654321'], opts);
    expect(human.stdout).toContain(`${injected.message.id}  +15557654321 → +15005550006  1 media  photo`);

    const none = await runInProcess(['sandbox', 'wait', '--to', '+19990000000', '--timeout', '0.05', '--json'], opts);
    expect(none.code).toBe(8);
    expect(JSON.parse(none.stdout).error.code).toBe('TIMEOUT');
    const stranger = await runInProcess(['sandbox', 'inbound', '--to', '+19990000000', '--from', '+15557654321', '--body', 'x'], opts);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('is not a sandbox number');
    sb.abort();
    expect((await sb.exited()).code).toBe(0);
    const gone = await runInProcess(['sandbox', 'wait', '--to', '+15005550006'], opts);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('No running sandbox found');
  });

  it('--data <dir> and --max-messages choose where and how much is kept; a bad limit is a usage error', async () => {
    const data = join(cfg.dir, 'elsewhere');
    const sb = startInProcess(['sandbox', '--port', '0', '--data', data, '--max-messages', '2'], opts);
    await sb.waitForStderr('Press Ctrl+C to stop.');
    expect(sb.stderr()).toContain(`messages     kept in ${data} (last 2)`);
    const origin = /listening on (\S+)/.exec(sb.stderr())![1]!;
    for (const body of ['1', '2', '3']) {
      const r = await runInProcess(['sandbox', 'inbound', '--url', origin, '--to', '+15557770011', '--from', '+15551112222', '--body', body], opts);
      expect(r.code).toBe(0);
    }
    sb.abort();
    expect((await sb.exited()).code).toBe(0);
    const kept = JSON.parse(readFileSync(join(data, 'messages.json'), 'utf8')) as { messages: Array<{ body: string }> };
    expect(kept.messages.map((m) => m.body)).toEqual(['2', '3']);
    const bad = await runInProcess(['sandbox', '--port', '0', '--max-messages', '0'], opts);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-messages "0"');
  });
});
