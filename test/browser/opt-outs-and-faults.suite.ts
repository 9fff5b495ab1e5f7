// The web phone's opt-outs and webhook-chaos controls in a real browser (playwright-core driving
// Debian's Chromium, headless, loopback only): a STOP shows live, `mms send` to the handset fails
// with the provider's code, clearing from the page or a START lets sends through; the faults panel
// edits webhook chaos with the server's checks. Run by browser.test.ts, which launches the browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { runInProcess } from '../helpers/run-in-process.js';

const HANDSET = '+15551234560';
const OWN = '+15557770001';
const PLIVO_OWN = '+15557770021';

/** Registers the opt-outs and webhook-chaos suite, driven in the shared browser. */
export function optOutsAndFaultsSuite(browser: () => Browser): void {
  describe('opt-outs and webhook chaos in the web phone', () => {
    let root: string;
    let sb: Sandbox;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'mms-web-phone-optout-'));
      sb = await startSandbox({ port: 0, stepDelayMs: 20 });
      page = await browser().newPage({ viewport: { width: 1200, height: 720 } });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${sb.origin}/`);
      await page.locator('#live.on').waitFor();
    }, 60_000);

    afterAll(async () => {
      await page?.close();
      await sb?.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** A message from a handset to a sandbox number, injected from outside the page (the page learns of it live). */
    async function fromHandset(from: string, to: string, body: string): Promise<void> {
      const res = await fetch(`${sb.origin}/_sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from, to, body }),
      });
      expect(res.status).toBe(201);
      await res.body?.cancel();
    }

    /** `mms send` from the sandbox's Twilio number, configured through the environment as a user would. */
    function mmsSend(to: string, body: string) {
      const tw = sb.info().providers.twilio!;
      const env = { TWILIO_ACCOUNT_SID: tw.credentials.accountSid!, TWILIO_AUTH_TOKEN: tw.credentials.authToken!, MMS_TWILIO_BASE_URL: tw.baseUrl };
      return runInProcess(['send', '--provider', 'twilio', '--from', OWN, '--to', to, '--body', body, '--json'], { configDir: join(root, 'config'), env });
    }

    const badge = (n: string) => page.locator(`#handset-list li[data-number="${n}"] .tag.optout`);
    const banner = () => page.locator('#optouts .optout-line');

    it('a STOP shows live; `mms send` to the handset fails with 21610, shown on the page; clearing it from the page lets a send through', async () => {
      await fromHandset(HANDSET, OWN, 'hello');
      await page.click(`#handset-list li[data-number="${HANDSET}"]`);
      expect(await badge(HANDSET).count()).toBe(0);
      await fromHandset(HANDSET, OWN, 'STOP');
      // No reload: the opt-outs event updates the list, the conversation and the thread.
      await badge(HANDSET).waitFor();
      expect(await badge(HANDSET).getAttribute('title')).toBe(`Replied STOP to ${OWN} (twilio)`);
      expect(await page.locator(`#thread-list li[data-peer="${OWN}"] .tag.optout`).textContent()).toBe('STOP');
      await banner().waitFor();
      expect(await banner().locator('span').textContent()).toContain(`${HANDSET} opted out of ${OWN} (replied STOP`);
      expect(await banner().locator('span').textContent()).toContain(
        'Sends to it fail with twilio 21610 Attempt to send to unsubscribed recipient until it sends START.',
      );

      const refused = await mmsSend(HANDSET, 'Your code is 1234');
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain('21610');
      // Twilio refuses at create: nothing joins the thread; the banner is where the page shows the code.
      expect(await page.locator('.bubble', { hasText: 'Your code is 1234' }).count()).toBe(0);

      await banner().locator('button.clear-optout').click();
      await banner().waitFor({ state: 'detached' });
      await badge(HANDSET).waitFor({ state: 'detached' });
      expect((await (await fetch(`${sb.origin}/_sandbox/opt-outs`)).json()) as unknown).toEqual({ optOuts: [] });
      const sent = await mmsSend(HANDSET, 'Welcome back');
      expect(sent.code).toBe(0);
      await page.locator('.bubble[data-status="delivered"]', { hasText: 'Welcome back' }).waitFor();
    });

    it('START from the handset (written on the page) clears it too', async () => {
      await fromHandset(HANDSET, OWN, 'Stop');
      await badge(HANDSET).waitFor();
      await page.fill('#compose-body', 'START');
      await page.click('#compose-send');
      await badge(HANDSET).waitFor({ state: 'detached' });
      expect(await banner().count()).toBe(0);
      expect((await mmsSend(HANDSET, 'Glad you are back')).code).toBe(0);
    });

    it("where the provider fails the message after accepting it, the thread shows the failure with the provider's code", async () => {
      // Plivo accepts the send and reports it failed with 200 (opted out).
      await fromHandset(HANDSET, PLIVO_OWN, 'STOP');
      await page.click(`#handset-list li[data-number="${HANDSET}"]`);
      await page.click(`#thread-list li[data-peer="${PLIVO_OWN}"]`);
      await banner().waitFor();
      expect(await banner().locator('span').textContent()).toContain('Sends to it fail with plivo 200 Destination number has opted out');
      const pl = sb.info().providers.plivo!;
      const auth = `Basic ${Buffer.from(`${pl.credentials.authId}:${pl.credentials.authToken}`).toString('base64')}`;
      const res = await fetch(`${pl.baseUrl}/v1/Account/${pl.credentials.authId}/Message/`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ src: PLIVO_OWN.slice(1), dst: HANDSET.slice(1), text: 'Plivo says hi' }),
      });
      expect(res.status).toBe(202);
      await res.body?.cancel();
      const failed = page.locator('.bubble.failed', { hasText: 'Plivo says hi' });
      await failed.waitFor();
      expect(await failed.locator('.status').textContent()).toMatch(/^failed · 200 /);
    });

    it('edits webhook chaos in the faults panel; a value out of range shows the server error and changes nothing', async () => {
      await page.click('.tab[data-view="faults"]');
      await page.locator('#faults-form[data-state="ready"]').waitFor();
      expect(await page.locator('#view-phone').isHidden()).toBe(true);
      await page.fill('#faults-form input[name="chaosDup"]', '0.05');
      await page.fill('#faults-form input[name="chaosReorder"]', '0.1');
      await page.fill('#faults-form input[name="chaosLateMs"]', '2000');
      await page.fill('#faults-form input[name="chaosLate"]', '0.5');
      await page.click('#faults-form button[type="submit"]');
      await expect.poll(() => page.locator('#faults-status').textContent()).toBe('applied');
      const faults = async () => (await fetch(`${sb.origin}/_sandbox/faults`)).json() as Promise<unknown>;
      const applied = { webhookChaos: { dup: 0.05, reorder: 0.1, lateMs: 2000, late: 0.5 } };
      expect(await faults()).toEqual(applied);

      await page.fill('#faults-form input[name="chaosDup"]', '1.5');
      await page.fill('#faults-form input[name="failRate"]', '0.5');
      await page.click('#faults-form button[type="submit"]');
      await expect.poll(() => page.locator('#faults-status.bad').textContent()).toBe('webhookChaos.dup must be a number from 0 to 1 (a share: 0.05 is 5%)');
      expect(await faults()).toEqual(applied);

      await page.fill('#faults-form input[name="chaosDup"]', '');
      await page.fill('#faults-form input[name="chaosLateMs"]', '');
      await page.click('#faults-form button[type="submit"]');
      await expect
        .poll(() => page.locator('#faults-status').textContent())
        .toBe('webhookChaos.late is the share of status callbacks made late: set webhookChaos.lateMs too');
      expect(await faults()).toEqual(applied);

      for (const name of ['failRate', 'chaosReorder', 'chaosLate']) await page.fill(`#faults-form input[name="${name}"]`, '');
      await page.click('#faults-form button[type="submit"]');
      await expect.poll(() => page.locator('#faults-status').textContent()).toBe('applied');
      expect(await faults()).toEqual({});
      // The panel shows what the server holds after a reload.
      await page.fill('#faults-form input[name="chaosReorder"]', '0.25');
      await page.click('#faults-form button[type="submit"]');
      await expect.poll(() => page.locator('#faults-status').textContent()).toBe('applied');
      await page.reload();
      await page.click('.tab[data-view="faults"]');
      await page.locator('#faults-form[data-state="ready"]').waitFor();
      expect(await page.inputValue('#faults-form input[name="chaosReorder"]')).toBe('0.25');
      expect(await page.inputValue('#faults-form input[name="chaosDup"]')).toBe('');
      await page.click('.tab[data-view="phone"]');
      expect(pageErrors).toEqual([]);
    });
  }, 120_000);
}
