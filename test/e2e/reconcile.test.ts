// Lost answers settled from the provider's message log (findSent), per provider with a log API:
// the sandbox creates the message and then resets the connection; `mms send` must not resend but
// find the message in the dialect's list endpoint and count it as accepted, with the record's id.
// (Twilio's case is in bulk.test.ts; Telnyx and Vonage have no usable log, see their adapters.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/run-cli.js';
import { startSandboxProcess, type SandboxHandle, type SandboxProviderInfo } from '../helpers/sandbox.js';

let cfg: ReturnType<typeof tempConfigDir>;
let sb: SandboxHandle;

beforeAll(async () => {
  cfg = tempConfigDir();
  sb = await startSandboxProcess(cfg.dir);
}, 30_000);
afterAll(async () => {
  await sb?.stop();
  cfg?.cleanup();
});
beforeEach(async () => {
  await sb.setFaults({});
  await sb.clear();
});

/** Env pointing `mms` at each dialect (as in test/e2e/providers/*.test.ts). */
const ENV: Record<string, (i: SandboxProviderInfo) => Record<string, string>> = {
  plivo: (i) => ({ PLIVO_AUTH_ID: i.credentials.authId!, PLIVO_AUTH_TOKEN: i.credentials.authToken!, MMS_PLIVO_BASE_URL: i.baseUrl, MMS_FROM: i.defaultFrom }),
  bandwidth: (i) => ({
    BW_ACCOUNT_ID: i.credentials.accountId!,
    BW_MESSAGING_APPLICATION_ID: i.credentials.applicationId!,
    BW_CLIENT_ID: i.credentials.clientId!,
    BW_CLIENT_SECRET: i.credentials.clientSecret!,
    MMS_BANDWIDTH_BASE_URL: i.baseUrl,
    MMS_FROM: i.defaultFrom,
  }),
  sinch: (i) => ({ SINCH_SERVICE_PLAN_ID: i.credentials.servicePlanId!, SINCH_API_TOKEN: i.credentials.apiToken!, MMS_SINCH_BASE_URL: i.baseUrl, MMS_FROM: i.defaultFrom }),
};

describe('a lost answer is settled from the provider log, never resent', () => {
  for (const [p, env] of Object.entries(ENV)) {
    it(`${p}: exit 0, accepted with the sandbox record's id, exactly one message`, async () => {
      const info = sb.providers[p]!;
      await sb.setFaults({ resetRate: 1 });
      const r = await runCli(['send', '--provider', p, '--to', '+15552000031', '--body', 'x', '--json'], { configDir: cfg.dir, env: env(info) });
      // The sandbox created the message and then reset the connection: mms finds it in the log.
      const msgs = await sb.messages(`?provider=${p}`);
      expect(msgs, JSON.stringify(msgs)).toHaveLength(1);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).results[0]).toMatchObject({ status: 'accepted', id: msgs[0]!.id });
      expect(r.stderr).toMatch(/the answer was lost, but the provider's log shows the message/);
    }, 60_000);
  }
});
