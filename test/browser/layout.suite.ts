// The web phone with a big record and on a narrow screen, in a real browser (playwright-core
// driving Debian's Chromium, headless): 200 handsets and a 400-message thread with unbroken text,
// at 400 px and at 1200 px. Nothing overflows sideways, only the chosen view shows, a thread opens
// at its newest message with the compose box in sight. Run by browser.test.ts, which launches the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxMessage } from '../../src/sandbox/store.js';
import { inboundRecord } from '../../src/sandbox/types.js';

const OWN = '+15557770001';
const TALKER = '+15552000007';
const HANDSETS = 200;

/** An inbound message as the Twilio dialect records one (added to the store directly: this file is about the page). */
function inbound(i: number, from: string, body: string): SandboxMessage {
  const at = new Date(Date.UTC(2026, 11, 1, 9, 0, 0, i)).toISOString();
  const id = `SM${String(i).padStart(32, '0')}`;
  return inboundRecord({ id, provider: 'twilio', account: 'AC0', to: OWN, from, body, status: 'received', now: at }, [], []);
}

/** Registers the big-record and narrow-screen suite, driven in the shared browser. */
export function layoutSuite(browser: () => Browser): void {
  describe('the web phone with 200 handsets and long threads', () => {
    let sb: Sandbox;
    // One tab for the suite, in which each test loads the page afresh at its own size: a new tab
    // costs a renderer process of its own.
    let tab: Page;
    let loads = 0;

    beforeAll(async () => {
      sb = await startSandbox({ port: 0, stepDelayMs: 1 });
      let i = 0;
      for (let h = 0; h < HANDSETS; h++) sb.store.add(inbound(i++, `+1555100${String(h).padStart(4, '0')}`, `hello from handset ${h}`));
      for (let k = 0; k < 400; k++) sb.store.add(inbound(i++, TALKER, k % 50 === 0 ? 'x'.repeat(600) : `line ${k} `.repeat((k % 5) + 1)));
      sb.store.add(inbound(i++, TALKER, 'the newest message'));
      const hook = sb.store.startWebhook({ kind: 'inbound', messageId: 'SM0', url: `http://127.0.0.1:9/${'very-long-path/'.repeat(30)}` });
      sb.store.finishWebhook(hook, { error: 'connect ECONNREFUSED 127.0.0.1:9' });
      tab = await browser().newPage();
    }, 60_000);

    afterAll(async () => {
      await tab?.close();
      await sb?.close();
    });

    /** The page, loaded afresh at this size. */
    async function open(width: number, height: number): Promise<Page> {
      await tab.setViewportSize({ width, height });
      // A URL of its own each time: loading the URL already shown is a reload, which may restore the last test's scroll.
      await tab.goto(`${sb.origin}/?load=${++loads}`);
      await tab.locator('#live.on').waitFor();
      await tab.locator(`#handset-list li[data-number="${TALKER}"]`).waitFor();
      return tab;
    }

    /** True when the element's box lies inside the viewport. */
    const inView = (page: Page, selector: string) =>
      page.locator(selector).evaluate((node) => {
        const r = node.getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.height > 0;
      });
    const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    it.each([
      [400, 800],
      [1200, 720],
    ])('at %i px: every handset listed, the thread opens at its newest message, nothing sideways', async (width, height) => {
      const page = await open(width, height);
      // The 200 handsets, the talker and the sandbox's own numbers.
      const own = Object.values(sb.info().providers).flatMap((p) => p.numbers);
      expect(await page.locator('#handset-list li').count()).toBe(HANDSETS + 1 + new Set(own).size);
      expect(await overflow(page)).toBe(0);
      for (const id of ['#search', '#clear-all', '.tab[data-view="faults"]']) expect(await inView(page, id)).toBe(true);
      await page.click(`#handset-list li[data-number="${TALKER}"]`);
      await page.locator('.bubble', { hasText: 'the newest message' }).waitFor();
      expect(await page.locator('.bubble').count()).toBe(sb.store.list({ from: TALKER }).length);
      expect(await inView(page, '.bubble:last-child')).toBe(true);
      expect(await inView(page, '#compose-body')).toBe(true);
      expect(await overflow(page)).toBe(0);
      // A message arriving while the thread is at the bottom stays in sight.
      sb.store.add(inbound(10_000 + width, TALKER, `live at ${width}`));
      await page.locator('.bubble:last-child', { hasText: `live at ${width}` }).waitFor();
      await expect.poll(() => inView(page, '.bubble:last-child')).toBe(true);
    });

    it('at 400 px the webhook log and the faults panel fit, and each tab shows its view alone', async () => {
      const page = await open(400, 800);
      for (const view of ['webhooks', 'faults', 'phone']) {
        await page.click(`.tab[data-view="${view}"]`);
        const shown = await page.evaluate(() => ['phone', 'webhooks', 'faults'].filter((v) => document.getElementById(`view-${v}`)!.offsetParent !== null));
        expect(shown).toEqual([view]);
        expect(await overflow(page)).toBe(0);
      }
      await page.click('.tab[data-view="webhooks"]');
      expect(await page.locator('#webhook-rows tr').count()).toBe(1);
      expect(await inView(page, '#webhook-rows tr td.url')).toBe(true);
    });
  }, 120_000);
}
