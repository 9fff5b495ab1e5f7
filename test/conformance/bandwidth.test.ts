// Conformance, Bandwidth: the official bandwidth-sdk, unchanged except for its basePath and the
// axios instance it uses for its OAuth token (its token URL is fixed to api.bandwidth.com, so an
// interceptor sends that one request to the sandbox), judges the sandbox's Bandwidth dialect:
// send an MMS, find it delivered through listMessages, page with pageToken, errors as AxiosError
// with Bandwidth's error types; callbacks follow Bandwidth's authentication challenge and match
// the callback models the SDK declares. Bandwidth has no signature scheme, so no SDK validator.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Configuration, MessagesApi, type MessagesList } from 'bandwidth-sdk';
import type { AxiosStatic, InternalAxiosRequestConfig } from 'axios';
import type { Sandbox } from '../../src/sandbox/server.js';
import { creds, setFaults, startConformanceSandbox, startReceiver, type Captured, type Receiver } from './helpers.js';
import { bandwidthAccessToken } from '../helpers/sandbox-unit.js';
import { declaredProps, undeclared } from './declared.js';

// The CommonJS axios that bandwidth-sdk itself requires (its token request uses the global instance).
const axios = createRequire(import.meta.url)('axios') as AxiosStatic;
const FROM = '+15557770041';
const OWN = '+15557770042';
const USER = 'bw-callbacks';
const PASS = 'bw-callbacks-password';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;

let sb: Sandbox;
let rx: Receiver;
let api: MessagesApi;
let accountId: string;
let applicationId: string;
let interceptor: number;

/** A receiver that challenges like a Bandwidth customer's server: 401 + WWW-Authenticate without the right Basic credentials. */
function challenge(h: Captured): { status: number; headers?: Record<string, string> } {
  return h.headers.authorization === BASIC ? { status: 200 } : { status: 401, headers: { 'www-authenticate': 'Basic realm="callbacks"' } };
}

async function dashboard(path: string, method: string, body?: string): Promise<Response> {
  const token = await bandwidthAccessToken(sb);
  return fetch(`${sb.baseUrl('bandwidth')}/api/accounts/${accountId}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    ...(body ? { body } : {}),
  });
}

/** Points the application's callbacks at the receiver. */
async function callbacksTo(inbound: string, outbound: string): Promise<void> {
  const credsXml = (t: string) => `<${t}><UserId>${USER}</UserId><Password>${PASS}</Password></${t}>`;
  const body =
    `<Application><InboundCallbackUrl>${rx.url(inbound)}</InboundCallbackUrl><OutboundCallbackUrl>${rx.url(outbound)}</OutboundCallbackUrl>` +
    `${credsXml('InboundCallbackCreds')}${credsXml('OutboundCallbackCreds')}</Application>`;
  expect((await dashboard(`/applications/${applicationId}`, 'PATCH', body)).status).toBe(200);
}

beforeAll(async () => {
  sb = await startConformanceSandbox();
  rx = await startReceiver();
  const c = creds(sb, 'bandwidth');
  accountId = c.accountId!;
  applicationId = c.applicationId!;
  interceptor = axios.interceptors.request.use((cfg: InternalAxiosRequestConfig) => {
    if (cfg.url?.startsWith('https://api.bandwidth.com/')) cfg.url = cfg.url.replace('https://api.bandwidth.com', sb.baseUrl('bandwidth'));
    return cfg;
  });
  api = new MessagesApi(new Configuration({ clientId: c.clientId!, clientSecret: c.clientSecret!, basePath: `${sb.baseUrl('bandwidth')}/api/v2` }));
  rx.answer('/bw/in', challenge);
  rx.answer('/bw/out', challenge);
  await callbacksTo('/bw/in', '/bw/out');
});
afterAll(async () => {
  axios.interceptors.request.eject(interceptor);
  await sb.close();
  await rx.close();
});

/** listMessages with destinationTn, limit and pageToken (the SDK's positional parameters). */
async function list(destinationTn: string, limit: number, pageToken?: string, messageId?: string): Promise<MessagesList> {
  const u = undefined;
  const args = [u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, pageToken, limit] as const;
  return (await api.listMessages(accountId, messageId, u, destinationTn, ...args)).data;
}

function send(to: string, text: string, media: string[] = []) {
  // The SDK declares `to` as a Set, which JSON.stringify turns into {}: an array is what works.
  return api.createMessage(accountId, { applicationId, to: [to] as unknown as Set<string>, from: FROM, text, ...(media.length ? { media } : {}) });
}

/** The error type and HTTP status of an SDK (axios) error. */
function failure(e: unknown): { axios: boolean; status?: number; type?: string } {
  const err = e as { response?: { status: number; data?: { type?: string } } };
  return { axios: axios.isAxiosError(e), status: err.response?.status, type: err.response?.data?.type };
}

describe('the bandwidth SDK against the sandbox', () => {
  it('sends an MMS with a media URL and finds it DELIVERED with listMessages', async () => {
    const res = await send(OWN, 'hello', [rx.url('/media/pixel.png')]);
    expect(res.status).toBe(202);
    const id = res.data.id!;
    await vi.waitFor(async () => expect((await list(OWN, 10, undefined, id)).messages?.[0]?.messageStatus).toBe('DELIVERED'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/bw/in' && h.headers.authorization === BASIC)).toBe(true));
  });

  it('pages with limit and pageToken across three pages (pageInfo nextPageToken, prevPageToken, nextPage, prevPage)', async () => {
    const to = '+15551230099';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(to, `n${i}`)).data.id!);
    const first = await list(to, 2);
    expect(first.totalCount).toBe(5);
    expect(first.pageInfo?.prevPageToken).toBeUndefined();
    const pages = [first];
    while (pages.at(-1)!.pageInfo?.nextPageToken) pages.push(await list(to, 2, pages.at(-1)!.pageInfo!.nextPageToken));
    expect(pages.map((p) => p.messages?.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.messages!.map((m) => m.messageId))).toEqual([...ids].reverse());
    const last = pages[2]!;
    expect(last.pageInfo?.nextPage).toBeUndefined();
    expect(last.pageInfo?.prevPage).toContain(`pageToken=${last.pageInfo?.prevPageToken}`);
    const back = await list(to, 2, last.pageInfo!.prevPageToken);
    expect(back.messages!.map((m) => m.messageId)).toEqual(pages[1]!.messages!.map((m) => m.messageId));
    expect(new URL(first.pageInfo!.nextPage!).searchParams.get('pageToken')).toBe(first.pageInfo!.nextPageToken);
  });

  it('fails with AxiosError carrying Bandwidth error types: 401 unauthorized, 400 request-validation, 429 queue full', async () => {
    const wrong = new MessagesApi(new Configuration({ accessToken: 'not-a-token', basePath: `${sb.baseUrl('bandwidth')}/api/v2` }));
    const auth = await wrong.listMessages(accountId, 'x').catch((e: unknown) => e);
    expect(failure(auth)).toEqual({ axios: true, status: 401, type: 'unauthorized' });
    expect(failure(await send('+15557770090', 'x').catch((e: unknown) => e))).toEqual({ axios: true, status: 400, type: 'request-validation' });
    await setFaults(sb, { throttleRate: 1 });
    try {
      expect(failure(await send('+15551230098', 'x').catch((e: unknown) => e))).toEqual({ axios: true, status: 429, type: 'max-message-queue-size-exceeded' });
    } finally {
      await setFaults(sb, {});
    }
  });

  it('answers a Basic challenge: first POST without credentials, the retry with them; the payloads match the SDK models', () => {
    const inbound = declaredProps('bandwidth-sdk/dist/models/inbound-callback.d.ts', 'InboundCallback');
    const status = declaredProps('bandwidth-sdk/dist/models/status-callback.d.ts', 'StatusCallback');
    const inboundMessage = declaredProps('bandwidth-sdk/dist/models/inbound-callback-message.d.ts', 'InboundCallbackMessage');
    const statusMessage = declaredProps('bandwidth-sdk/dist/models/status-callback-message.d.ts', 'StatusCallbackMessage');
    const hooks = rx.hooks.filter((h) => h.path === '/bw/in' || h.path === '/bw/out');
    expect(hooks.length).toBeGreaterThan(0);
    // Every event arrives twice: unauthenticated, then (after the 401 challenge) with Basic credentials.
    const byBody = new Map<string, Captured[]>();
    for (const h of hooks) byBody.set(h.rawBody.toString(), [...(byBody.get(h.rawBody.toString()) ?? []), h]);
    for (const [body, pair] of byBody) {
      expect(pair.map((h) => h.headers.authorization)).toEqual([undefined, BASIC]);
      const [event] = JSON.parse(body) as Array<Record<string, unknown>>;
      const isInbound = pair[0]!.path === '/bw/in';
      expect(undeclared(event!, isInbound ? inbound : status)).toEqual([]);
      expect(undeclared(event!.message as Record<string, unknown>, isInbound ? inboundMessage : statusMessage)).toEqual([]);
    }
    expect(new Set([...byBody.values()].map((p) => p[0]!.path))).toEqual(new Set(['/bw/in', '/bw/out']));
  });

  it('delivers without credentials, once, to a receiver that does not challenge', async () => {
    await callbacksTo('/bw/open-in', '/bw/open-out');
    const id = (await send('+15551230097', 'open')).data.id!;
    await vi.waitFor(() => expect(rx.hooks.some((h) => h.path === '/bw/open-out' && h.rawBody.toString().includes('message-delivered'))).toBe(true));
    const open = rx.hooks.filter((h) => h.path === '/bw/open-out' && h.rawBody.toString().includes(id));
    expect(open.map((h) => h.headers.authorization)).toEqual(open.map(() => undefined));
    expect(open.map((h) => (JSON.parse(h.rawBody.toString()) as Array<{ type: string }>)[0]!.type)).toEqual(['message-sending', 'message-delivered']);
  });
});
