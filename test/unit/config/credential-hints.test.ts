// The credential hints of `whoami` and `logout` name the profile's own provider's variables (from
// its descriptor), run in-process.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/config/store.js';
import type { ConfigFile } from '../../../src/config/schema.js';
import type { ProviderName } from '../../../src/providers/types.js';
import { runInProcess } from '../../helpers/run-in-process.js';
import { tempConfigDir } from '../../helpers/run-cli.js';

let dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

async function configWith(provider: ProviderName, fields: Record<string, string>): Promise<string> {
  const c = tempConfigDir();
  dirs.push(c);
  const store = openStore({ MMS_CONFIG_DIR: c.dir });
  const cfg: ConfigFile = { defaultProfile: 'work', settings: {}, profiles: { work: { provider, fields } } };
  await store.writeConfig(cfg);
  await store.writeCredentials({ profiles: { work: {} } });
  return c.dir;
}

describe('credential hints', () => {
  it('whoami: says what is missing and which variables or login command supply it', async () => {
    const configDir = await configWith('bandwidth', { accountId: '9900000' });
    const r = await runInProcess(['whoami'], { configDir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'Not ready to send: Messaging application ID is missing; OAuth client ID is missing; OAuth client secret is missing. ' +
        'Run `mms login --provider bandwidth --profile work`, or set BW_ACCOUNT_ID, BW_MESSAGING_APPLICATION_ID, BW_CLIENT_ID and BW_CLIENT_SECRET.',
    );
  });

  it("logout: warns about the removed profile's provider's variables, not another provider's", async () => {
    const configDir = await configWith('vonage', { apiKey: 'abc12345' });
    const r = await runInProcess(['logout', '--profile', 'work'], { configDir, env: { VONAGE_API_SECRET: 's', TWILIO_AUTH_TOKEN: 't' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Note: VONAGE_API_SECRET is still set in your environment.');
    expect(r.stderr).not.toContain('TWILIO_AUTH_TOKEN');
  });
});
