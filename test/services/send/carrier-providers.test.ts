// Carrier realism on the other dialects, through `mms send --provider <p>` (no --wait: the outcome is
// read from the sandbox's record, since not every provider offers a status GET to wait on): a handset that
// texted STOP (an inbound message in the sandbox's record, as the web phone or an injection would
// store it), the unregistered 10DLC magic sender +15557770034, and media over AT&T's 1 MB long-code
// limit; each with that provider's own code. (Twilio: carrier-fit.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSendHarness } from './harness.js';
import { inboundRecord } from '../../../src/sandbox/types.js';
import { startMediaServer, type MediaServer } from '../../helpers/media-server.js';

const h = useSendHarness();
let media: MediaServer;

beforeAll(async () => {
  media = await startMediaServer();
  // Over AT&T's 1,000,000-byte long-code limit, under every provider's own limit that is larger (Sinch: 1 MiB).
  media.add('/big.jpg', Buffer.alloc(1_020_000, 7), 'image/jpeg');
});
afterAll(async () => {
  await media?.close();
});

/** Stores an inbound message from `handset` to the dialect's default number, as the round trip does. */
function texts(provider: string, handset: string, body: string): void {
  const to = h.sb.info().providers[provider]!.defaultFrom;
  const at = new Date().toISOString();
  h.sb.store.add(
    inboundRecord({ id: `IN-${provider}-${body}-${at}`, provider, account: 'sandbox', to, from: handset, body, status: 'received', now: at }, [], []),
  );
}

/** `mms send --provider p … --json`; the sandbox's final record of the message (undefined when refused at create). */
async function send(provider: string, args: string[]) {
  const r = await h.run(['send', '--provider', provider, ...args, '--json'], { env: h.providerEnv(provider) });
  const id = (JSON.parse(r.stdout) as { results?: Array<{ id?: string; status?: string }> }).results?.find((x) => x.status !== 'failed')?.id;
  const rec = id ? await h.waitFor(id, (m) => m.errorCode !== undefined || /deliver/i.test(m.status)) : undefined;
  return { r, rec };
}

// [provider, handset (last digit 0–3: AT&T), opted out, unregistered sender, too large]: [status, code].
const CASES: Array<[string, string, [string, string], [string, string], [string, string] | undefined]> = [
  ['plivo', '+15551230010', ['failed', '200'], ['failed', '40'], ['failed', '120']],
  ['bandwidth', '+15551230020', ['FAILED', '4775'], ['FAILED', '4001'], ['FAILED', '4711']],
  ['sinch', '+15551230030', ['Deleted', '408'], ['Rejected', '60'], ['Rejected', '415']],
  // Telnyx refuses anything over 1 MB itself, so AT&T's 1 MB long-code limit cannot be reached there.
  ['telnyx', '+15551230001', ['', '40300'], ['sending_failed', '40010'], undefined],
];

describe.each(CASES)('%s', (provider, handset, optedOut, unregistered, tooLarge) => {
  it('refuses a handset that texted STOP, until it texts START', async () => {
    texts(provider, handset, 'STOP');
    const { r, rec } = await send(provider, ['--to', handset, '--body', 'hello']);
    if (rec) expect([rec.status, String(rec.errorCode)]).toEqual(optedOut);
    else {
      // Refused at create time (Telnyx's block rule): the provider's code in the error.
      expect(r.code).toBe(6);
      expect(r.stdout).toContain(optedOut[1]);
    }
    texts(provider, handset, 'START');
    const back = await send(provider, ['--to', handset, '--body', 'welcome back']);
    expect(back.rec?.status).toMatch(/deliver/i);
    expect(back.rec?.errorCode).toBeUndefined();
  });

  it('accepts the unregistered 10DLC sender, then fails it', async () => {
    const { r, rec } = await send(provider, ['--from', '+15557770034', '--to', handset, '--body', 'promo']);
    expect(r.code).toBe(0);
    expect([rec?.status, String(rec?.errorCode)]).toEqual(unregistered);
  });

  it.skipIf(!tooLarge)('fails media over the destination carrier limit after acceptance', async () => {
    const { r, rec } = await send(provider, ['--to', handset, '--media', media.url('/big.jpg')]);
    expect(r.code).toBe(0);
    expect([rec?.status, String(rec?.errorCode)]).toEqual(tooLarge);
    expect(rec?.media[0]).toMatchObject({ status: 'fetched', size: 1_020_000 });
  });
});

// The harness has no Vonage env, so Vonage's Messages API is called directly (Basic auth), as its SDK would.
describe('vonage', () => {
  async function post(from: string, to: string, extra: Record<string, unknown>) {
    const i = h.sb.info().providers.vonage!;
    const auth = Buffer.from(`${i.credentials.apiKey}:${i.credentials.apiSecret}`).toString('base64');
    const res = await fetch(`${i.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'mms', from: from.replace('+', ''), to: to.replace('+', ''), ...extra }),
    });
    expect(res.status).toBe(202);
    const { message_uuid: id } = (await res.json()) as { message_uuid: string };
    return h.waitFor(id, (m) => m.errorCode !== undefined || m.status === 'delivered');
  }
  const text = { message_type: 'text', text: 'hello' };
  const handset = '+15551230000';

  it('rejects a handset that texted STOP (1240) until START; the unregistered sender (1120); media over the limit (1020)', async () => {
    const own = h.sb.info().providers.vonage!.defaultFrom;
    texts('vonage', handset, 'STOP');
    expect(await post(own, handset, text)).toMatchObject({ status: 'rejected', errorCode: 1240 });
    texts('vonage', handset, 'START');
    expect((await post(own, handset, text)).status).toBe('delivered');
    expect(await post('+15557770034', handset, text)).toMatchObject({ status: 'rejected', errorCode: 1120 });
    expect(await post(own, handset, { message_type: 'image', image: { url: media.url('/big.jpg') } })).toMatchObject({ status: 'rejected', errorCode: 1020 });
  });
});
