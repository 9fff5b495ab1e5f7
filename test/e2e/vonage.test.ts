// End to end: the built `mms` binary against `mms sandbox` (Vonage dialect) on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/run-cli.js';
import { startSandboxProcess, type SandboxHandle } from '../helpers/sandbox.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../helpers/media-server.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;
let media: MediaServer;
let env: Record<string, string>;

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandboxProcess(cfg.dir);
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  const info = (await (await fetch(`${sb.origin}/_sandbox/info`)).json()) as { providers: Record<string, { baseUrl: string; credentials: Record<string, string>; defaultFrom: string }> };
  const p = info.providers.vonage!;
  env = { VONAGE_API_KEY: p.credentials.apiKey!, VONAGE_API_SECRET: p.credentials.apiSecret!, MMS_VONAGE_BASE_URL: p.baseUrl, MMS_FROM: p.defaultFrom };
});

afterAll(async () => {
  await sb?.stop();
  await media?.close();
  cfg?.cleanup();
});

beforeEach(async () => {
  await sb.clear();
});

const send = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(['send', '--provider', 'vonage', ...args, '--json'], { configDir: cfg.dir, env: { ...env, ...extraEnv } });

describe('mms send --provider vonage (e2e against the sandbox)', () => {
  it('sends an image MMS; the sandbox records it and fetches the media', async () => {
    const r = await send(['--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart']);
    expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'vonage' });
    const id = doc.results[0].id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rec = await sb.waitFor(id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ provider: 'vonage', to: '+15551234567', from: '+15557770031', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
  });

  it('exits 4 when the credentials are rejected', async () => {
    const r = await send(['--to', '+15551234567', '--body', 'x'], { VONAGE_API_SECRET: 'wrongwrongwrong1' });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'AUTH_REJECTED', httpStatus: 401 });
  });

  it('exits 6 for a number Vonage calls invalid', async () => {
    const r = await send(['--to', '+15557770090', '--body', 'x']);
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ code: 'RECIPIENT_INVALID', providerCode: '1020', httpStatus: 422 });
  });

  it('mms status explains that Vonage has no status lookup', async () => {
    const r = await runCli(['status', '--provider', 'vonage', 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('no API to look up') });
  });
});
