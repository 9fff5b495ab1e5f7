import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, UsageError } from '../../../../src/errors/errors.js';
import { selectTunnel, TUNNEL_CHOICES, type TunnelChoice } from '../../../../src/webhook/tunnel/select.js';
import type { NgrokModule } from '../../../../src/webhook/tunnel/ngrok.js';

const FAKE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../helpers/fake-cloudflared');
const NODE_DIR = dirname(process.execPath);
let withCf: string;
beforeAll(async () => {
  withCf = await mkdtemp(join(tmpdir(), 'mms-select-'));
  await symlink(FAKE, join(withCf, 'cloudflared'));
});
afterAll(async () => {
  await rm(withCf, { recursive: true, force: true });
});

const noNgrok: () => Promise<NgrokModule> = () => Promise.reject(new Error('must not load ngrok in selection'));
const base = { MMS_TEST_OFFLINE: '1' };

describe('selectTunnel', () => {
  it('returns undefined when no tunnel was asked for', async () => {
    expect(await selectTunnel({ env: { ...base, NGROK_AUTHTOKEN: 'x' } })).toBeUndefined();
  });

  it('--public-url wins, alone or with --tunnel auto / public-url', async () => {
    for (const tunnel of [undefined, 'auto', 'public-url'] as const) {
      const sel = await selectTunnel({ tunnel, publicUrl: 'https://me.example', env: { ...base, NGROK_AUTHTOKEN: 'x', PATH: withCf } });
      expect(sel?.backend).toBe('public-url');
      expect(await sel?.tunnel.start(1)).toEqual({ publicUrl: 'https://me.example', warnings: [] });
    }
  });

  it.each(['ngrok', 'cloudflared', 'localtunnel'] as const)('refuses --public-url with --tunnel %s', async (tunnel) => {
    await expect(selectTunnel({ tunnel, publicUrl: 'https://me.example', env: base })).rejects.toBeInstanceOf(UsageError);
  });

  it('--tunnel public-url without --public-url is a usage error', async () => {
    await expect(selectTunnel({ tunnel: 'public-url', env: base })).rejects.toMatchObject({ code: 'MISSING_ARGUMENT' });
  });

  it('auto picks ngrok when NGROK_AUTHTOKEN is set, even if cloudflared is installed', async () => {
    const sel = await selectTunnel({ tunnel: 'auto', env: { ...base, NGROK_AUTHTOKEN: 'x', PATH: `${withCf}:${NODE_DIR}` }, ngrokLoad: noNgrok });
    expect(sel?.backend).toBe('ngrok');
    expect(sel?.reason).toMatch(/NGROK_AUTHTOKEN/);
  });

  it('auto with NGROK_AUTHTOKEN but no SDK fails at start with the install hint (no silent switch)', async () => {
    const missing = (): Promise<NgrokModule> =>
      Promise.reject(new ConfigError('CONFIG_INVALID', 'not installed', { suggestion: 'npm install -g @ngrok/ngrok' }));
    const sel = await selectTunnel({ tunnel: 'auto', env: { ...base, NGROK_AUTHTOKEN: 'x', PATH: `${withCf}:${NODE_DIR}` }, ngrokLoad: missing });
    await expect(sel?.tunnel.start(1)).rejects.toBeInstanceOf(ConfigError);
  });

  it('auto picks cloudflared when there is no ngrok token', async () => {
    const sel = await selectTunnel({ tunnel: 'auto', env: { ...base, PATH: `${withCf}:${NODE_DIR}` } });
    expect(sel?.backend).toBe('cloudflared');
    expect(sel?.reason).toContain(join(withCf, 'cloudflared'));
  });

  it('auto honours --cloudflared-path', async () => {
    const sel = await selectTunnel({ tunnel: 'auto', cloudflaredPath: FAKE, env: { ...base, PATH: NODE_DIR } });
    expect(sel?.backend).toBe('cloudflared');
  });

  it('auto with nothing available is an actionable ConfigError and never picks localtunnel', async () => {
    const err = await selectTunnel({ tunnel: 'auto', tunnelHost: undefined, env: { ...base, PATH: NODE_DIR } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const s = (err as ConfigError).suggestion ?? '';
    expect(s).toMatch(/NGROK_AUTHTOKEN/);
    expect(s).toMatch(/cloudflared/);
    expect(s).toMatch(/--public-url/);
    expect(s).toMatch(/--tunnel localtunnel --tunnel-host/);
  });

  it('--tunnel ngrok without a token is an AuthError', async () => {
    await expect(selectTunnel({ tunnel: 'ngrok', env: base })).rejects.toBeInstanceOf(AuthError);
  });

  it('--tunnel cloudflared without the binary is a ConfigError', async () => {
    await expect(selectTunnel({ tunnel: 'cloudflared', env: { ...base, PATH: NODE_DIR } })).rejects.toBeInstanceOf(ConfigError);
    const sel = await selectTunnel({ tunnel: 'cloudflared', env: { ...base, PATH: `${withCf}:${NODE_DIR}` } });
    expect(sel?.backend).toBe('cloudflared');
  });

  it('--tunnel localtunnel needs --tunnel-host, and the offline guard applies', async () => {
    await expect(selectTunnel({ tunnel: 'localtunnel', env: base })).rejects.toThrow(/--tunnel-host/);
    await expect(selectTunnel({ tunnel: 'localtunnel', tunnelHost: 'https://localtunnel.me', env: base })).rejects.toThrow(/non-loopback/);
    const sel = await selectTunnel({ tunnel: 'localtunnel', tunnelHost: 'http://127.0.0.1:1', env: base });
    expect(sel?.backend).toBe('localtunnel');
  });

  it('rejects flags that do not apply and unknown names', async () => {
    await expect(selectTunnel({ tunnel: 'cloudflared', tunnelHost: 'http://127.0.0.1:1', env: base })).rejects.toThrow(/--tunnel-host only applies/);
    await expect(selectTunnel({ tunnel: 'ngrok', cloudflaredPath: FAKE, env: { ...base, NGROK_AUTHTOKEN: 'x' } })).rejects.toThrow(/--cloudflared-path/);
    await expect(selectTunnel({ tunnel: 'bore' as TunnelChoice, env: base })).rejects.toThrow(/Unknown tunnel backend/);
    expect(TUNNEL_CHOICES).toEqual(['auto', 'ngrok', 'cloudflared', 'localtunnel', 'public-url']);
  });
});
