// End to end: the built `mms` binary against `mms sandbox` (Telnyx dialect) on 127.0.0.1.
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
  const info = all.providers.telnyx!;
  env = {
    TELNYX_API_KEY: info.credentials.apiKey!,
    TELNYX_PUBLIC_KEY: info.credentials.publicKey!,
    MMS_TELNYX_BASE_URL: info.baseUrl,
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

describe('mms send --provider telnyx (e2e against the sandbox)', () => {
  it('sends an MMS with an image URL; the sandbox records it and fetches the media', async () => {
    const r = await runCli(['send', '--provider', 'telnyx', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart', '--json'], { configDir: cfg.dir, env });
    expect(r.stderr).toMatch(/^1 of 1 accepted via \w+ in [0-9.]+ s\.\n$/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ total: 1, accepted: 1, failed: 0, provider: 'telnyx' });
    const id = doc.results[0].id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rec = await sb.waitFor(id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ provider: 'telnyx', to: '+15551234567', from: '+15557770011', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
    expect(media.hits('/chart.png')).toBeGreaterThanOrEqual(1);

    const st = await runCli(['status', id, '--provider', 'telnyx', '--json'], { configDir: cfg.dir, env });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'delivered', to: '+15551234567' });
  });

  it('exits 4 when the sandbox rejects the credentials', async () => {
    const r = await runCli(['send', '--provider', 'telnyx', '--to', '+15551234567', '--body', 'x', '--json'], { configDir: cfg.dir, env: { ...env, TELNYX_API_KEY: 'KEYwrong' } });
    expect(r.code).toBe(4);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('AUTH_REJECTED');
    expect(await sb.messages()).toHaveLength(0);
  });

  it('exits 6 for a number the provider refuses as invalid', async () => {
    const r = await runCli(['send', '--provider', 'telnyx', '--to', '+15557770100', '--body', 'x', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(6);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0]).toMatchObject({ to: '+15557770100', status: 'failed', error: { code: 'RECIPIENT_INVALID', providerCode: '40310', httpStatus: 400 } });
  });

  it('reports a delivery failure through mms status', async () => {
    const r = await runCli(['send', '--provider', 'telnyx', '--to', '+15557770103', '--body', 'x', '--json'], { configDir: cfg.dir, env });
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).results[0].id as string;
    await sb.waitFor(id, (m) => m.status === 'delivery_failed');
    const st = await runCli(['status', id, '--provider', 'telnyx', '--json'], { configDir: cfg.dir, env });
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'undelivered' });
  });
});
