// End to end: the built `mms` binary against `mms sandbox` (Sinch dialect) on 127.0.0.1.
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
  const p = info.providers.sinch!;
  env = { SINCH_SERVICE_PLAN_ID: p.credentials.servicePlanId!, SINCH_API_TOKEN: p.credentials.apiToken!, MMS_SINCH_BASE_URL: p.baseUrl, MMS_FROM: p.defaultFrom };
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
  runCli(['send', '--provider', 'sinch', ...args, '--json'], { configDir: cfg.dir, env: { ...env, ...extraEnv } });

describe('mms send --provider sinch (e2e against the sandbox)', () => {
  it('sends an mt_media batch; the sandbox fetches the media; mms status reads the delivery report', async () => {
    const r = await send(['--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart']);
    expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'sinch' });
    const id = doc.results[0].id as string;
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    const rec = await sb.waitFor(id, (m) => m.status === 'Delivered');
    expect(rec).toMatchObject({ provider: 'sinch', to: '+15551234567', from: '+15557770051', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    const s = await runCli(['status', '--provider', 'sinch', id, '--json'], { configDir: cfg.dir, env });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ id, status: 'delivered', providerStatus: 'Delivered' });
  });

  it('exits 4 when the API token is rejected', async () => {
    const r = await send(['--to', '+15551234567', '--media', media.url('/chart.png')], { SINCH_API_TOKEN: 'f'.repeat(32) });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'AUTH_REJECTED', httpStatus: 401 });
  });

  it('exits 6 for a number Sinch calls invalid', async () => {
    const r = await send(['--to', '+15557770090', '--media', media.url('/chart.png')]);
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).results[0].error).toMatchObject({ code: 'RECIPIENT_INVALID', providerCode: 'syntax_invalid_parameter_format', httpStatus: 400 });
  });
});
