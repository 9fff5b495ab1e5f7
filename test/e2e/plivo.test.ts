// End to end: the built `mms` binary against `mms sandbox` (Plivo dialect) on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/run-cli.js';
import { startSandboxProcess, type SandboxHandle } from '../helpers/sandbox.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../helpers/media-server.js';

interface ProviderInfo {
  baseUrl: string;
  credentials: Record<string, string>;
  numbers: string[];
  defaultFrom: string;
}

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;
let media: MediaServer;
let env: Record<string, string>;

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandboxProcess(cfg.dir);
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
  const all = (await (await fetch(`${sb.origin}/_sandbox/info`)).json()) as { providers: Record<string, ProviderInfo> };
  const info = all.providers.plivo!;
  env = {
    PLIVO_AUTH_ID: info.credentials.authId!,
    PLIVO_AUTH_TOKEN: info.credentials.authToken!,
    MMS_PLIVO_BASE_URL: info.baseUrl,
    MMS_FROM: info.defaultFrom,
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

describe('mms send --provider plivo (e2e against the sandbox)', () => {
  it('sends an MMS with an image URL; the sandbox records it and fetches the media', async () => {
    const r = await runCli(['send', '--provider', 'plivo', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart', '--json'], { configDir: cfg.dir, env });
    expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'plivo' });
    const id = doc.results[0].id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rec = await sb.waitFor(id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ provider: 'plivo', to: '15551234567', from: '15557770021', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(media.hits('/chart.png')).toBeGreaterThanOrEqual(1);

    const st = await runCli(['status', id, '--provider', 'plivo', '--json'], { configDir: cfg.dir, env });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'delivered', to: '+15551234567' });
  });

  it('exits 4 when the sandbox rejects the credentials', async () => {
    const r = await runCli(['send', '--provider', 'plivo', '--to', '+15551234567', '--body', 'x', '--json'], { configDir: cfg.dir, env: { ...env, PLIVO_AUTH_TOKEN: 'wrong' } });
    expect(r.code).toBe(4);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('AUTH_REJECTED');
    expect(await sb.messages()).toHaveLength(0);
  });

  it('exits 6 for a number the provider refuses as invalid', async () => {
    const r = await runCli(['send', '--provider', 'plivo', '--to', '+15557770200', '--body', 'x', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(6);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0]).toMatchObject({ to: '+15557770200', status: 'failed', error: { code: 'RECIPIENT_INVALID', httpStatus: 400 } });
  });

  it('reports a delivery failure through mms status', async () => {
    const r = await runCli(['send', '--provider', 'plivo', '--to', '+15557770203', '--body', 'x', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).results[0].id as string;
    await sb.waitFor(id, (m) => m.status === 'undelivered');
    const st = await runCli(['status', id, '--provider', 'plivo', '--json'], { configDir: cfg.dir, env });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'undelivered' });
  });
});
