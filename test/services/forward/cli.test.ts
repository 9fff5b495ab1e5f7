// The dev loop as a user runs it, in-process (src/cli.ts run()) against an in-process sandbox and a
// small user app: `mms listen --forward-to` prints `-->`/`<--` lines (NDJSON with --json), `mms
// events list|show|replay` read and resend what it stored, `mms trigger` fires signed webhooks.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { closeHttp, createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const TWIML = '<Response><Message>Thanks!</Message></Response>';

let sb: Sandbox;
let root: string;
let configDir: string;
let env: Record<string, string>;
let twilioInfo: { baseUrl: string; credentials: Record<string, string>; defaultFrom: string };
let app: Server;
let appUrl: string;
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string; valid: boolean }> = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-devloop-'));
  configDir = join(root, 'config');
  sb = await startSandbox({ port: 0, stepDelayMs: 5 });
  twilioInfo = sb.info().providers.twilio!;
  env = {
    TWILIO_ACCOUNT_SID: twilioInfo.credentials.accountSid!,
    TWILIO_AUTH_TOKEN: twilioInfo.credentials.authToken!,
    MMS_TWILIO_BASE_URL: twilioInfo.baseUrl,
    MMS_FROM: twilioInfo.defaultFrom,
  };
  app = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = `${appUrl}${req.url}`;
      const valid = twilio.validateRequest(
        env.TWILIO_AUTH_TOKEN!,
        String(req.headers['x-twilio-signature']),
        url,
        Object.fromEntries(new URLSearchParams(body)),
      );
      seen.push({ url: req.url ?? '', headers: req.headers, body, valid });
      res.writeHead(200, { 'content-type': 'text/xml' }).end(TWIML);
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
  await sb?.close();
  await closeHttp();
  rmSync(root, { recursive: true, force: true });
});

const send = async (to: string, body: string) =>
  (await getAdapter('twilio')).send(
    { to, from: twilioInfo.defaultFrom, body, mediaUrls: [] },
    { credentials: twilioInfo.credentials, baseUrl: twilioInfo.baseUrl, http: createHttpClient({ provider: 'twilio', env }) },
  );

describe('the dev loop from the command line', () => {
  it('listen --forward-to: `-->`/`<--` lines; then events list/show/replay; the log is 0600 in a 0700 dir', async () => {
    let stderr = '';
    const run = runInProcess(['listen', '--number', '+15557770001', '--count', '1', '--timeout', '20', '--forward-to', `${appUrl}/sms`], {
      configDir,
      env,
      onStderr: (c) => (stderr += c),
    });
    await vi.waitFor(() => expect(stderr).toContain('Press Ctrl+C'), { timeout: 10_000 });
    await send('+15557770001', 'forward me');
    const res = await run;
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^--> inbound SM[0-9a-f]{32} \\${twilioInfo.defaultFrom} → \\+15557770001 \\(0 media\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^<-- 200 POST ${appUrl}/sms \\d+ ms$`));
    expect(seen.at(-1)!.valid).toBe(true);

    const dir = join(configDir, 'events');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);

    const list = await runInProcess(['events', 'list', '--json', '--since', '1h', '--type', 'inbound'], { configDir, env });
    const stored = (JSON.parse(list.stdout) as { events: Array<{ id: string; type: string; forwards: Array<{ answered: number }> }> }).events;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: 'event', forwards: [{ answered: 200 }] });
    expect((await runInProcess(['events', 'list', '--json', '--type', 'status'], { configDir, env })).stdout).toContain('"events": []');
    const piped = await runInProcess(['events', 'list'], { configDir, env });
    // Piped: no header row (as every table command), one tab-separated row per event.
    expect(piped.stdout.trim().split('\n')).toHaveLength(1);
    expect(piped.stdout.split('\t')[0]).toBe(stored[0]!.id);
    const tty = await runInProcess(['events', 'list'], { configDir, env, tty: true });
    expect(tty.stdout.split('\n')[0]).toMatch(/^ID\s+RECEIVED\s+PROVIDER\s+KIND\s+EVENTS\s+FORWARD$/);

    const show = await runInProcess(['events', 'show', stored[0]!.id], { configDir, env });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('x-twilio-signature: ');
    expect(show.stdout).toContain('Body=forward+me');

    // Replay to another path: re-signed for it, so the app's unmodified check passes again.
    const before = seen.length;
    const replay = await runInProcess(['events', 'replay', stored[0]!.id, '--forward-to', `${appUrl}/other?x=1`], { configDir, env });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`<-- 200 POST ${appUrl}/other?x=1`);
    expect(replay.stdout).toContain(TWIML);
    expect(seen.slice(before)).toMatchObject([{ url: '/other?x=1', valid: true }]);
    const again = JSON.parse((await runInProcess(['events', 'show', stored[0]!.id, '--json'], { configDir, env })).stdout) as { forwards: unknown[] };
    expect(again.forwards).toMatchObject([{ answered: 200 }, { answered: 200, replay: true, url: `${appUrl}/other?x=1` }]);
  });

  it('listen --forward-to --json: a `forward` NDJSON line with the facts; an app that is down gets 502 and a line', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/down`;
    await new Promise((r) => dead.close(r));
    const lines: string[] = [];
    let out = '';
    const ac = new AbortController();
    const run = runInProcess(['listen', '--json', '--forward-status-to', deadUrl, '--forward-inbound-to', `${appUrl}/in`], {
      configDir,
      env,
      signal: ac.signal,
      onStdout: (c) => {
        out += c;
        lines.splice(0, lines.length, ...out.split('\n').filter((l) => l.startsWith('{')));
      },
    });
    const listening = await vi.waitFor(() => {
      const l = lines.map((x) => JSON.parse(x) as Record<string, string>).find((o) => o.type === 'listening');
      if (!l) throw new Error('not yet');
      return l;
    });
    await (
      await getAdapter('twilio')
    ).send(
      { to: '+15557770031', from: twilioInfo.defaultFrom, body: 'x', mediaUrls: [], statusCallbackUrl: listening.statusUrl! },
      { credentials: twilioInfo.credentials, baseUrl: twilioInfo.baseUrl, http: createHttpClient({ provider: 'twilio', env }) },
    );
    const forward = await vi.waitFor(
      () => {
        const f = lines.map((x) => JSON.parse(x) as Record<string, unknown>).find((o) => o.type === 'forward');
        if (!f) throw new Error('no forward yet');
        return f;
      },
      { timeout: 10_000 },
    );
    expect(forward).toMatchObject({ type: 'forward', kind: 'status', provider: 'twilio', method: 'POST', url: deadUrl, answered: 502 });
    expect(forward.error).toMatchObject({ reason: 'unreachable' });
    expect(Number.isInteger(forward.durationMs)).toBe(true);
    ac.abort();
    expect((await run).code).toBe(0);
  });

  it('trigger inbound --print shows the raw request; trigger status sends it and prints the answer', async () => {
    const printed = await runInProcess(['trigger', 'inbound', '--url', `${appUrl}/sms`, '--from', '+15557654321', '--body', 'hi', '--print'], {
      configDir,
      env,
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^POST \/sms HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\n/);
    expect(printed.stdout).toContain(`To=${encodeURIComponent(twilioInfo.defaultFrom)}&`);
    expect(printed.stdout).toContain('From=%2B15557654321&');
    const before = seen.length;
    const sent = await runInProcess(
      ['trigger', 'status', '--url', `${appUrl}/status`, '--id', 'SMabc', '--to', '+15557654321', '--status', 'failed', '--error-code', '30008', '--json'],
      {
        configDir,
        env,
      },
    );
    expect(sent.code).toBe(0);
    const doc = JSON.parse(sent.stdout) as { type: string; answer: { answered: number; body: string } };
    expect(doc).toMatchObject({ type: 'trigger', kind: 'status', provider: 'twilio', id: 'SMabc', answer: { answered: 200, body: TWIML } });
    expect(seen.slice(before)).toMatchObject([{ url: '/status', valid: true }]);
    const missing = await runInProcess(['trigger', 'status', '--url', `${appUrl}/status`], { configDir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--id is required');
  });
});
