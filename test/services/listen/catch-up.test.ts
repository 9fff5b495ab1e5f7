// Catch-up against the in-process sandbox: messages sent to one of the dialect's numbers while
// nobody listened (no inbound URL configured: the sandbox only stores them) are read back from the
// provider's log through the adapter and emitted once, `recovered: true`, oldest first; ids seen
// before are skipped; the log is paged (Plivo: 20 a page); Telnyx and Vonage say they cannot.
// The sandbox record (its store) is the oracle for which messages arrived.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { catchUp, inboundLogSupport, messageIdsOf, type RecoveredMessage } from '../../../src/services/listen/catch-up.js';
import { createHttpClient } from '../../../src/providers/http-client.js';
import { getAdapter } from '../../../src/providers/registry.js';
import type { ProviderAdapter, ProviderCallContext } from '../../../src/providers/types.js';
import { startLocalSandbox, type LocalSandbox } from '../../helpers/sandbox-in-process.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../../helpers/media-server.js';

let sb: LocalSandbox;
let media: MediaServer;

beforeAll(async () => {
  sb = await startLocalSandbox();
  media = await startMediaServer();
  media.add('/pixel.png', PNG_1X1, 'image/png');
});
afterAll(async () => {
  await sb.stop();
  await media.close();
});
beforeEach(() => sb.clear());

/** The adapter and a call context for the provider's dialect. */
async function account(provider: string): Promise<{ adapter: ProviderAdapter; ctx: ProviderCallContext; numbers: string[] }> {
  const info = sb.providers[provider]!;
  const ctx: ProviderCallContext = { credentials: { ...info.credentials }, baseUrl: info.baseUrl, http: createHttpClient({ provider, env: {} }) };
  return { adapter: await getAdapter(provider), ctx, numbers: info.numbers };
}

/** Ids of the inbound records the sandbox stored for `to` (digits compared: Plivo stores bare digits). */
function inboundIds(provider: string, to: string): string[] {
  const digits = (n: string) => n.replace(/\D/g, '');
  return sb.sandbox.store
    .list({ provider })
    .filter((m) => m.direction === 'inbound' && digits(m.to) === digits(to))
    .map((m) => m.id);
}

/** Sends `n` messages from the dialect's first number to its second, and waits until the sandbox stored them as inbound. */
async function injectWhileAway(provider: string, n: number, withMedia = false): Promise<{ to: string; ids: string[] }> {
  const { adapter, ctx, numbers } = await account(provider);
  const [from, to] = [numbers[0]!, numbers[1]!];
  for (let i = 0; i < n; i++) {
    await adapter.send({ from, to, body: `while away ${i}`, mediaUrls: withMedia ? [media.url('/pixel.png')] : [] }, ctx);
  }
  const ids = await vi.waitFor(
    () => {
      const got = inboundIds(provider, to);
      if (got.length < n) throw new Error(`${provider}: ${got.length} of ${n} inbound messages stored`);
      return got;
    },
    { timeout: 10_000, interval: 20 },
  );
  return { to, ids };
}

/** Runs catch-up for `to` from `since` with a `seen` set; returns the result and what was emitted. */
async function recover(provider: string, to: string, since: Date, seen: Set<string>, max?: number) {
  const { adapter, ctx } = await account(provider);
  const emitted: RecoveredMessage[] = [];
  const result = await catchUp({ adapter, to, since, seen: (id) => seen.has(id), emit: (m) => void emitted.push(m), ...(max ? { max } : {}) }, ctx);
  return { result, emitted };
}

describe('catch-up recovers what arrived while nobody listened', () => {
  for (const provider of ['twilio', 'plivo', 'bandwidth', 'sinch']) {
    it(`${provider}: each message once, recovered: true, oldest first; a second catch-up skips them`, async () => {
      const since = new Date();
      const { to, ids } = await injectWhileAway(provider, 3);
      const first = await recover(provider, to, since, new Set());
      expect(first.result).toMatchObject({ supported: true, provider, listed: 3, recovered: 3, skipped: 0, truncated: false });
      expect(first.emitted.map((m) => m.id).sort()).toEqual([...ids].sort());
      expect(first.emitted.every((m) => m.recovered === true && m.type === 'message' && m.provider === provider)).toBe(true);
      expect(first.emitted.every((m) => m.to.replace(/\D/g, '') === to.replace(/\D/g, ''))).toBe(true);
      const times = first.emitted.map((m) => Date.parse(m.receivedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));

      // Everything emitted is now in the event log: the next catch-up over the same gap emits nothing.
      const again = await recover(provider, to, since, new Set(first.emitted.map((m) => m.id)));
      expect(again.result).toMatchObject({ supported: true, listed: 3, recovered: 0, skipped: 3 });
      expect(again.emitted).toEqual([]);
    });
  }

  it('skips ids the event log already holds (a webhook that did arrive)', async () => {
    const since = new Date();
    const { to, ids } = await injectWhileAway('twilio', 2);
    const logged = [
      { provider: 'twilio', events: [{ type: 'message' as const, provider: 'twilio', id: ids[0]!, from: '', to, body: '', media: [], receivedAt: '' }] },
    ];
    const { result, emitted } = await recover('twilio', to, since, messageIdsOf(logged, 'twilio'));
    expect(result).toMatchObject({ recovered: 1, skipped: 1 });
    expect(emitted.map((m) => m.id)).toEqual([ids[1]]);
  });

  it('twilio: text and media as the webhook would have carried them (media downloadable with the account auth)', async () => {
    const since = new Date();
    const { to } = await injectWhileAway('twilio', 1, true);
    const { emitted } = await recover('twilio', to, since, new Set());
    const stored = sb.sandbox.store.get(emitted[0]!.id)!;
    expect(emitted[0]).toMatchObject({ body: 'while away 0', from: stored.from, to: stored.to });
    expect(emitted[0]!.media).toEqual([{ url: stored.media[0]!.url, contentType: 'image/png' }]);
    expect(emitted[0]!.unavailable).toBeUndefined();
  });

  it('sinch: the MO object as the callback carries it, text and re-hosted media', async () => {
    const since = new Date();
    const { to, ids } = await injectWhileAway('sinch', 1, true);
    // The dialect's inbound list outlives clear(): an earlier test's messages of the same second may be listed too.
    const { emitted } = await recover('sinch', to, since, new Set());
    const mine = emitted.find((m) => m.id === ids[0]);
    const stored = sb.sandbox.store.get(ids[0]!)!;
    expect(mine).toMatchObject({ body: 'while away 0', media: [{ url: stored.media[0]!.url, contentType: 'image/png' }] });
  });

  it('plivo: media from the Media list; the log keeps no text, and says so', async () => {
    const since = new Date();
    const { to } = await injectWhileAway('plivo', 1, true);
    const { result, emitted } = await recover('plivo', to, since, new Set());
    expect(emitted[0]).toMatchObject({ body: '', unavailable: ['body'], media: [{ url: media.url('/pixel.png') }] });
    expect(result).toMatchObject({ unavailable: ['body'] });
  });

  it('bandwidth: no text (Bandwidth stores none); media URLs from List Media, as the callback carried them', async () => {
    const since = new Date();
    const { to, ids } = await injectWhileAway('bandwidth', 1, true);
    const { result, emitted } = await recover('bandwidth', to, since, new Set());
    const stored = sb.sandbox.store.get(ids[0]!)!;
    expect(emitted[0]).toMatchObject({ body: '', unavailable: ['body'], media: [{ url: stored.media[0]!.url, size: stored.media[0]!.size }] });
    expect(emitted[0]!.mediaCount).toBeUndefined();
    expect(result).toMatchObject({ unavailable: ['body'] });
  });

  it('plivo: pages through the log (20 a page) and stops at the bound, saying so', async () => {
    const since = new Date();
    const { to, ids } = await injectWhileAway('plivo', 25);
    const all = await recover('plivo', to, since, new Set());
    expect(all.result).toMatchObject({ listed: 25, recovered: 25, truncated: false });
    expect(new Set(all.emitted.map((m) => m.id))).toEqual(new Set(ids));
    const bounded = await recover('plivo', to, since, new Set(), 21);
    expect(bounded.result).toMatchObject({ listed: 21, recovered: 21, truncated: true });
  });
});

describe('providers without an inbound log', () => {
  for (const provider of ['telnyx', 'vonage']) {
    it(`${provider}: says so, and makes no request`, async () => {
      const { adapter, ctx } = await account(provider);
      const support = inboundLogSupport(adapter);
      expect(support.supported).toBe(false);
      const emit = vi.fn();
      const result = await catchUp({ adapter, to: '+15557770001', since: new Date(0), seen: () => false, emit }, { ...ctx, http: { request: vi.fn() } });
      expect(result).toEqual({ supported: false, provider, reason: expect.stringMatching(/keeps no API-readable log of received messages/) });
      expect(result.supported === false && result.reason).toMatch(new RegExp(`^${adapter.displayName} `));
      expect(emit).not.toHaveBeenCalled();
    });
  }
});
