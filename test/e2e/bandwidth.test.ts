// End to end: the built `mms` binary against `mms sandbox` (Bandwidth dialect) on 127.0.0.1.
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
  const p = info.providers.bandwidth!;
  env = {
    BW_ACCOUNT_ID: p.credentials.accountId!,
    BW_MESSAGING_APPLICATION_ID: p.credentials.applicationId!,
    BW_CLIENT_ID: p.credentials.clientId!,
    BW_CLIENT_SECRET: p.credentials.clientSecret!,
    MMS_BANDWIDTH_BASE_URL: p.baseUrl,
    MMS_FROM: p.defaultFrom,
  };
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
  runCli(['send', '--provider', 'bandwidth', ...args, '--json'], { configDir: cfg.dir, env: { ...env, ...extraEnv } });

describe('mms send --provider bandwidth (e2e against the sandbox)', () => {
  it('sends an image MMS (OAuth token, then the message); the sandbox fetches the media; mms status reads it', async () => {
    const r = await send(['--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart']);
    expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'bandwidth' });
    const id = doc.results[0].id as string;
    const rec = await sb.waitFor(id, (m) => m.status === 'DELIVERED');
    expect(rec).toMatchObject({ provider: 'bandwidth', to: '+15551234567', from: '+15557770041', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    const s = await runCli(['status', '--provider', 'bandwidth', id, '--json'], { configDir: cfg.dir, env });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ id, status: 'delivered', providerStatus: 'DELIVERED', numMedia: 1 });
  });

  it('exits 4 when the OAuth client secret is rejected', async () => {
    const r = await send(['--to', '+15551234567', '--body', 'x'], { BW_CLIENT_SECRET: 'nope' });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'AUTH_REJECTED' });
    expect(await sb.messages()).toHaveLength(0);
  });

  it('exits 6 for a number Bandwidth calls invalid', async () => {
    const r = await send(['--to', '+15557770090', '--body', 'x']);
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ code: 'RECIPIENT_INVALID', providerCode: 'request-validation', httpStatus: 400 });
  });
});
