// The web phone in a real browser: playwright-core driving Debian's Chromium at /usr/bin/chromium,
// headless, loopback only. Three parts, each with its own sandbox and its own browser contexts:
// - the web phone: compose an MMS with a picture and see `mms listen` receive it verified, status
//   ticks advance live, outside text stays inert, and a thread survives a restart;
// - opt-outs and webhook chaos: a STOP shows live, `mms send` to the handset fails with the
//   provider's code, clearing from the page or a START lets sends through; the faults panel edits
//   webhook chaos with the server's checks;
// - a big record on a narrow screen: 200 handsets and a 400-message thread with unbroken text, at
//   400 px and at 1200 px; nothing overflows sideways, only the chosen view shows, a thread opens at
//   its newest message with the compose box in sight.
// One file, so that one Chromium serves them all (a launch costs about a second of CPU; three files
// on three workers launched three). Skips, saying so, where Chromium is not installed (.ci/run
// installs it with apt-get).
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxMessage } from '../../src/sandbox/store.js';
import { inboundRecord } from '../../src/sandbox/types.js';
import { runInProcess, startInProcess, type RunningCli } from '../helpers/run-in-process.js';
import { inject } from '../sandbox-product/helpers.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from './chromium.js';

if (!HAS_CHROMIUM) console.warn(`test/browser: ${CHROMIUM} is missing; the web phone browser tests are skipped (apt-get install chromium)`);

// Sandbox numbers (a Twilio one, a Plivo one); the big record's handset with the long thread, and how many handsets write.
const OWN = '+15557770001';
const PLIVO_OWN = '+15557770021';
const TALKER = '+15552000007';
const HANDSETS = 200;

describe.skipIf(!HAS_CHROMIUM)('the web phone in a real browser', () => {
  let browser: Browser | undefined;
  const shared = (): Browser => browser!;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  webPhoneSuite(shared);
  optOutsAndFaultsSuite(shared);
  layoutSuite(shared);
});

/** A small picture worth looking at in the README screenshot (sharp renders the SVG). */
async function picture(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="220">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ff9a5a"/><stop offset="1" stop-color="#5a4fcf"/></linearGradient></defs>
    <rect width="360" height="220" fill="url(#g)"/><circle cx="250" cy="120" r="42" fill="#ffe27a"/>
    <path d="M0 170 L80 120 L150 160 L230 110 L360 175 L360 220 L0 220 Z" fill="#2d2a5e"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A message's NDJSON line from `mms listen` (its key is `type`, or `event` in older builds). */
const kind = (o: Record<string, unknown>) => o.type ?? o.event;

/** An inbound message as the Twilio dialect records one (added to the store directly: this file is about the page). */
function inbound(i: number, from: string, body: string): SandboxMessage {
  const at = new Date(Date.UTC(2026, 11, 1, 9, 0, 0, i)).toISOString();
  const id = `SM${String(i).padStart(32, '0')}`;
  return inboundRecord({ id, provider: 'twilio', account: 'AC0', to: OWN, from, body, status: 'received', now: at }, [], []);
}

/** The web phone: compose, live status, inert outside text, a restart. */
function webPhoneSuite(browser: () => Browser): void {
  const HANDSET = '+15551234567';

  describe('the web phone in Chromium', () => {
    let root: string;
    let sb: Sandbox;
    let page: Page;
    let listen: RunningCli;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'mms-web-phone-'));
      sb = await startSandbox({ port: 0, stepDelayMs: 40, dataDir: join(root, 'data') });
      const tw = sb.info().providers.twilio!;
      const env = { TWILIO_ACCOUNT_SID: tw.credentials.accountSid!, TWILIO_AUTH_TOKEN: tw.credentials.authToken!, MMS_TWILIO_BASE_URL: tw.baseUrl };
      listen = startInProcess(['listen', '--json', '--number', OWN], { configDir: join(root, 'config'), env });
      await listen.waitForJson((o) => kind(o) === 'listening', 15_000);
      page = await browser().newPage({ viewport: { width: 1200, height: 720 } });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(`${sb.origin}/`);
      await page.locator('#live.on').waitFor();
    }, 60_000);

    afterAll(async () => {
      await page?.close();
      listen?.abort();
      await listen?.exited();
      await sb?.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** Opens the handset's thread with a sandbox number. */
    async function openThread(p: Page, handset: string, to: string): Promise<void> {
      await p.fill('#new-number', handset);
      await p.click('#new-handset button');
      await p.selectOption('#new-thread-to', to);
      await p.click('#new-thread button');
    }

    it('composes an MMS with a picture; `mms listen` receives it verified, with the picture', async () => {
      await openThread(page, HANDSET, OWN);
      await page.fill('#compose-body', 'Sunset from the web phone');
      await page.setInputFiles('#compose-file', { name: 'sunset.png', mimeType: 'image/png', buffer: await picture() });
      await expect.poll(() => page.locator('#attachments li').textContent()).toContain('sunset.png');
      await page.click('#compose-send');
      const bubble = page.locator('.bubble.mine', { hasText: 'Sunset from the web phone' });
      await bubble.waitFor();
      // The picture shows inline, from the sandbox's own copy.
      await expect.poll(() => bubble.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(360);
      const got = await listen.waitForJson<{ from: string; to: string; body: string; media: Array<{ contentType: string; size: number }> }>(
        (o) => kind(o) === 'message' && o.body === 'Sunset from the web phone',
        15_000,
      );
      expect(got).toMatchObject({ from: HANDSET, to: OWN, media: [expect.objectContaining({ contentType: 'image/png' })] });
    });

    it('shows the status of a message the app sends advancing live (queued → sent → delivered)', async () => {
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        new MutationObserver(() => {
          const li = document.querySelector('.bubble[data-id^="SM"]:not(.mine)');
          const s = li?.getAttribute('data-status');
          if (s && seen[seen.length - 1] !== s) seen.push(s);
        }).observe(document.getElementById('bubbles')!, { childList: true, subtree: true, attributes: true });
      });
      // The app answers from the sandbox number, through the Twilio API as `mms send` would.
      const tw = sb.info().providers.twilio!;
      const auth = `Basic ${Buffer.from(`${tw.credentials.accountSid}:${tw.credentials.authToken}`).toString('base64')}`;
      const res = await fetch(`${tw.baseUrl}/2010-04-01/Accounts/${tw.credentials.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: auth },
        body: new URLSearchParams({ From: OWN, To: HANDSET, Body: 'Thanks, got it!' }),
      });
      expect(res.status).toBe(201);
      await res.body?.cancel();
      await page.locator('.bubble:not(.mine)[data-status="delivered"]', { hasText: 'Thanks, got it!' }).waitFor();
      const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
      expect(seen.at(-1)).toBe('delivered');
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen).toContain('sent');
      expect(await page.locator('.bubble:not(.mine)[data-status="delivered"] .status').textContent()).toBe('✓✓ delivered');
    });

    it("shows a failed delivery with the provider's code and text", async () => {
      const tw = sb.info().providers.twilio!;
      const auth = `Basic ${Buffer.from(`${tw.credentials.accountSid}:${tw.credentials.authToken}`).toString('base64')}`;
      // A sandbox-only Twilio number whose carrier reports the message undelivered (30003).
      const res = await fetch(`${tw.baseUrl}/2010-04-01/Accounts/${tw.credentials.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: auth },
        body: new URLSearchParams({ From: OWN, To: '+15557770030', Body: 'Are you there?' }),
      });
      expect(res.status).toBe(201);
      await res.body?.cancel();
      await page.click('#handset-list li[data-number="+15557770030"]');
      const bubble = page.locator('.bubble.failed[data-status="undelivered"]', { hasText: 'Are you there?' });
      await bubble.waitFor();
      expect(await bubble.locator('.status').textContent()).toBe('undelivered · 30003 Unreachable destination handset');
      await page.click(`#handset-list li[data-number="${HANDSET}"]`);
    });

    it('a click on a handset counts even when a message arrives between the press and the release', async () => {
      // Seen in CI: the lists were rebuilt at every live event, so an event landing between
      // mousedown and mouseup replaced the element under the pointer and the click was lost.
      const PEER = '+15551239999';
      expect((await inject(sb, { to: OWN, from: PEER, body: 'ping' })).status).toBe(201);
      await page.click(`#handset-list li[data-number="${PEER}"]`);
      const bubbles = page.locator('#bubbles li');
      await bubbles.filter({ hasText: 'ping' }).first().waitFor();
      const before = await bubbles.count();
      const target = page.locator(`#handset-list li[data-number="${HANDSET}"]`);
      const box = (await target.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      // The same text again in the open thread: a new bubble, nothing else on screen changes.
      expect((await inject(sb, { to: OWN, from: PEER, body: 'ping' })).status).toBe(201);
      await expect.poll(() => bubbles.count()).toBe(before + 1);
      await page.mouse.up();
      await page.locator(`#handset-list li.active[data-number="${HANDSET}"]`).waitFor({ timeout: 5_000 });
    });

    it('the webhook log lists the deliveries with their answers', async () => {
      await page.click('.tab[data-view="webhooks"]');
      const row = page.locator('#webhook-rows tr', { hasText: 'inbound' }).first();
      await row.waitFor();
      // The answer of `mms listen`, then a resend of the same signed request, which it accepts again.
      expect(await row.locator('td').nth(4).textContent()).toBe('200');
      await row.locator('button', { hasText: 'Resend' }).click();
      const resent = page.locator('#webhook-rows tr', { hasText: 'inbound (resent)' });
      await resent.waitFor();
      expect(await resent.locator('td').nth(4).textContent()).toBe('200');
      await page.click('.tab[data-view="phone"]');
    });

    it('still shows the thread after the sandbox restarts; a screenshot for the README', async () => {
      await sb.close();
      sb = await startSandbox({ port: 0, stepDelayMs: 40, dataDir: join(root, 'data') });
      await page.goto(`${sb.origin}/`);
      await page.locator('#live.on').waitFor();
      await page.click(`#handset-list li[data-number="${HANDSET}"]`);
      await page.locator('.bubble.mine', { hasText: 'Sunset from the web phone' }).waitFor();
      await page.locator('.bubble:not(.mine)', { hasText: 'Thanks, got it!' }).waitFor();
      await expect
        .poll(() =>
          page
            .locator('.bubble img')
            .first()
            .evaluate((img: HTMLImageElement) => img.naturalWidth),
        )
        .toBe(360);
      // UPDATE_SCREENSHOT=1 refreshes the README's picture; otherwise the shot goes to a temp folder.
      const dir = process.env.UPDATE_SCREENSHOT ? new URL('../../scripts/assets/', import.meta.url).pathname : join(root, 'shots');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'web-phone.png') });
      expect(existsSync(join(dir, 'web-phone.png'))).toBe(true);
    });
    it('keeps an XSS payload in a body, a file name and a content type inert (text, not markup)', async () => {
      // Only what this page load logs counts (the restart above may leave a failed reconnect behind).
      pageErrors.length = 0;
      const payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
      await page.fill('#compose-body', payload);
      // Dropped, not picked: drag and drop takes the same path.
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(
          new File(['<script>window.pwned=3</script>'], '<img src=x onerror="window.pwned=4">.html', { type: 'text/html"><svg onload="window.pwned=5">' }),
        );
        document.getElementById('thread')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await expect.poll(() => page.locator('#attachments li').textContent()).toContain('<img src=x onerror="window.pwned=4">.html');
      await page.click('#compose-send');
      const bubble = page.locator('.bubble.mine', { hasText: 'onerror="window.pwned=1"' });
      await bubble.waitFor();
      expect(await bubble.locator('.body').textContent()).toBe(payload);
      // The odd content type was stored as application/octet-stream: a download link, shown as text.
      expect(await bubble.locator('a').textContent()).toContain('application/octet-stream');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('#view-phone img[src="x"], #view-phone script, #view-phone svg').count()).toBe(0);
      const href = await bubble.locator('a').getAttribute('href');
      const media = await fetch(`${sb.origin}${href!}`);
      expect(media.headers.get('content-type')).toBe('application/octet-stream');
      expect(media.headers.get('content-disposition')).toBe('attachment');
      await media.body?.cancel();
      expect(pageErrors).toEqual([]);
    });

    it('applies faults from the panel, filters by search, and clears everything', async () => {
      await page.click('.tab[data-view="faults"]');
      await page.locator('#faults-form[data-state="ready"]').waitFor();
      await page.fill('#faults-form input[name="failRate"]', '0.25');
      await page.fill('#faults-form input[name="latencyMin"]', '5');
      await page.click('#faults-form button[type="submit"]');
      await expect.poll(() => page.locator('#faults-status').textContent()).toBe('applied');
      expect(sb.faults).toEqual({ failRate: 0.25, latencyMs: [5, 5] });
      await page.click('.tab[data-view="phone"]');
      await page.fill('#search', 'Sunset');
      await expect.poll(() => page.locator('#handset-list li').count()).toBe(2);
      await page.fill('#search', '');
      page.once('dialog', (d) => void d.accept());
      await page.click('#clear-all');
      await expect.poll(() => page.locator('.bubble').count()).toBe(0);
      expect(sb.store.size).toBe(0);
    });
  }, 120_000);
}

/** Opt-outs and the webhook chaos controls. */
function optOutsAndFaultsSuite(browser: () => Browser): void {
  const HANDSET = '+15551234560';

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

/** The web phone with a big record and on a narrow screen. */
function layoutSuite(browser: () => Browser): void {
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
