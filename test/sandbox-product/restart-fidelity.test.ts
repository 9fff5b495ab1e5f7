// A kept message is served by each provider's API after `mms sandbox` restarts with the same data
// directory exactly as before it: each official SDK sends an MMS with media to a sandbox number (so
// the round trip also makes an inbound message), reads the message, its media, delivery report and
// inbound back, the sandbox restarts, and the same SDK reads them again (only the origin in re-hosted
// media URLs may change: the port is a new one).
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import Telnyx from 'telnyx';
import plivo from 'plivo';
import { SinchClient } from '@sinch/sdk-core';
import { Configuration, MediaApi, MessagesApi } from 'bandwidth-sdk';
import type { AxiosStatic, InternalAxiosRequestConfig } from 'axios';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { PNG, startReceiver, type Receiver } from '../conformance/helpers.js';
import { sharedCredentialsFile, tempDir } from './helpers.js';
import { bandwidthAccessToken } from '../helpers/sandbox-unit.js';

const running: Sandbox[] = [];
const dirs: Array<() => void> = [];
let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => rx.close());
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const c of dirs.splice(0)) c();
});

type Place = { dataDir: string; credentialsFile: string; dir: string };

/** A data directory and a copy of the shared credentials (an RSA key pair is slow to make). */
async function place(): Promise<Place> {
  const t = tempDir();
  dirs.push(t.cleanup);
  const credentialsFile = join(t.dir, 'credentials.json');
  copyFileSync(await sharedCredentialsFile(), credentialsFile);
  return { dataDir: join(t.dir, 'data'), credentialsFile, dir: t.dir };
}

async function start(p: Place): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, stepDelayMs: 1, dataDir: p.dataDir, credentialsFile: p.credentialsFile });
  running.push(sb);
  return sb;
}

async function restart(sb: Sandbox, p: Place): Promise<Sandbox> {
  running.splice(running.indexOf(sb), 1);
  await sb.close();
  return start(p);
}

const cred = (sb: Sandbox, provider: string) => sb.info().providers[provider]!.credentials;

/** The inbound message the round trip of `provider` stored (the newest). */
function inboundOf(sb: Sandbox, provider: string) {
  return sb.store
    .list({ provider })
    .filter((m) => m.direction === 'inbound')
    .at(-1);
}

/** The bytes at `url` (a GET that must answer 200). */
async function bytesAt(url: string, headers: Record<string, string> = {}): Promise<Buffer> {
  const res = await fetch(url, { headers });
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** `url` on `sb`'s origin (a re-hosted media URL after the port changed). */
const onOrigin = (sb: Sandbox, url: string) => `${sb.origin}${new URL(url).pathname}`;

const media = () => rx.url('/media/pixel.png');

describe('twilio: a kept message after a restart', () => {
  function client(sb: Sandbox): twilio.Twilio {
    const inner: RequestClient = new twilio.RequestClient();
    const routed = Object.create(inner) as RequestClient;
    routed.request = (opts: RequestClient.RequestOptions) => {
      const u = new URL(opts.uri);
      return inner.request({ ...opts, uri: `${sb.baseUrl('twilio')}${u.pathname}${u.search}` });
    };
    const c = cred(sb, 'twilio');
    return twilio(c.accountSid!, c.authToken!, { httpClient: routed });
  }

  /** The message, its Media list, each Media resource and its bytes, as the SDK reads them. */
  async function read(sb: Sandbox, sid: string) {
    const t = client(sb);
    const message = (await t.messages(sid).fetch()).toJSON();
    type Json = { toJSON(): unknown };
    const list = ((await t.messages(sid).media.list()) as Json[]).map((x) => x.toJSON() as { sid: string; uri: string });
    const one = await Promise.all(list.map(async (x) => ((await t.messages(sid).media(x.sid).fetch()) as Json).toJSON()));
    const { accountSid, authToken } = cred(sb, 'twilio') as { accountSid: string; authToken: string };
    const auth = { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` };
    const bytes = await Promise.all(list.map((x) => bytesAt(`${sb.baseUrl('twilio')}${x.uri.replace(/\.json$/, '')}`, auth)));
    return { message, list, one, bytes };
  }

  it('fetches the message, its Media (list, fetch, bytes) and the inbound side as before', async () => {
    const p = await place();
    let sb = await start(p);
    const sent = await client(sb).messages.create({ from: '+15005550006', to: '+15557770001', body: 'hello', mediaUrl: [media()] });
    await vi.waitFor(async () => expect((await client(sb).messages(sent.sid).fetch()).status).toBe('delivered'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(inboundOf(sb, 'twilio')).toBeDefined(), { timeout: 5000, interval: 20 });
    const inboundSid = inboundOf(sb, 'twilio')!.id;
    const before = [await read(sb, sent.sid), await read(sb, inboundSid)];
    expect(before[0]!.list).toHaveLength(1);
    expect(before[1]!.bytes).toEqual([PNG]);
    sb = await restart(sb, p);
    const after = [await read(sb, sent.sid), await read(sb, inboundSid)];
    expect(after).toEqual(before);
    // A Media resource deleted after the restart stays deleted after the next one.
    await client(sb).messages(sent.sid).media(after[0]!.list[0]!.sid).remove();
    sb = await restart(sb, p);
    await expect(client(sb).messages(sent.sid).media.list()).resolves.toEqual([]);
  });
});

describe('telnyx: a kept message after a restart', () => {
  const client = (sb: Sandbox) => new Telnyx({ apiKey: cred(sb, 'telnyx').apiKey!, baseURL: `${sb.baseUrl('telnyx')}/v2` });

  it('retrieves the outbound and the inbound message with the same details (type, profile, webhook URLs, sent/completed times)', async () => {
    const p = await place();
    let sb = await start(p);
    const sent = await client(sb).messages.send({ from: '+15557770011', to: '+15557770012', text: 'hello', media_urls: [media()] });
    const id = sent.data!.id!;
    const status = async () => ((await client(sb).messages.retrieve(id)).data?.to?.[0] as { status?: string } | undefined)?.status;
    await vi.waitFor(async () => expect(await status()).toBe('delivered'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(inboundOf(sb, 'telnyx')).toBeDefined(), { timeout: 5000, interval: 20 });
    const inboundId = inboundOf(sb, 'telnyx')!.id;
    const read = async () => Promise.all([id, inboundId].map(async (x) => (await client(sb).messages.retrieve(x)).data));
    const before = await read();
    expect(before[0]).toMatchObject({ type: 'MMS', messaging_profile_id: expect.any(String) });
    expect(before[0]!.completed_at).toEqual(expect.any(String));
    sb = await restart(sb, p);
    expect(await read()).toEqual(before);
  });
});

describe('plivo: a kept message after a restart', () => {
  const client = (sb: Sandbox) => {
    const { authId, authToken } = cred(sb, 'plivo') as { authId: string; authToken: string };
    return new plivo.Client(authId, authToken, { url: `${sb.baseUrl('plivo')}/v1/Account/${authId}` });
  };

  it('gets the message and its media as before, and an uploaded media_id still resolves (details, bytes, a new send)', async () => {
    const p = await place();
    let sb = await start(p);
    const file = join(p.dir, 'pixel.png');
    writeFileSync(file, PNG);
    const up = (await client(sb).media.upload([file])) as unknown as { objects: Array<{ mediaId: string }> };
    const mediaId = up.objects[0]!.mediaId;
    const res = await client(sb).messages.create('15557770021', '15557770022', 'hello', { type: 'mms', media_urls: [media()], media_ids: [mediaId] });
    const uuid = res.messageUuid![0]!;
    await vi.waitFor(async () => expect((await client(sb).messages.get(uuid)).messageState).toBe('delivered'), { timeout: 5000, interval: 20 });
    const read = async () => {
      const { apiId: _a, ...message } = (await client(sb).messages.get(uuid)) as unknown as Record<string, unknown>;
      const { apiId: _b, ...list } = (await client(sb).messages.listMedia(uuid)) as unknown as Record<string, unknown>;
      const { apiId: _c, mediaUrl, ...upload } = (await client(sb).media.get(mediaId)) as unknown as Record<string, unknown>;
      return { message, list, upload, mediaPath: new URL(String(mediaUrl)).pathname };
    };
    const before = await read();
    expect(before.message).toMatchObject({ messageType: 'mms', messageSentTime: expect.any(String) });
    sb = await restart(sb, p);
    expect(await read()).toEqual(before);
    expect(await bytesAt(`${sb.origin}${before.mediaPath}`)).toEqual(PNG);
    const again = await client(sb).messages.create('15557770021', '15551230021', 'again', { type: 'mms', media_ids: [mediaId] });
    expect(again.messageUuid).toHaveLength(1);
  });
});

describe('sinch: a kept batch and inbound after a restart', () => {
  const client = (sb: Sandbox) => {
    const c = cred(sb, 'sinch');
    return new SinchClient({ servicePlanId: c.servicePlanId!, apiToken: c.apiToken!, smsHostname: sb.baseUrl('sinch') });
  };

  /** The batch, its reports, the batch list, and the inbound (its media URL's path) as the SDK reads them. */
  async function read(sb: Sandbox, batchId: string, inboundId: string) {
    const sms = client(sb).sms;
    const batch = await sms.batches.get({ batch_id: batchId });
    const summary = await sms.deliveryReports.get({ batch_id: batchId, type: 'summary' });
    const full = await sms.deliveryReports.get({ batch_id: batchId, type: 'full' });
    const recipient = await sms.deliveryReports.getForNumber({ batch_id: batchId, recipient_msisdn: '15557770052' });
    const listed = (await sms.batches.list({})).data.map((b) => b.id);
    const inbound = (await sms.inbounds.get({ inbound_id: inboundId })) as unknown as { body: { media: Array<{ url: string }> } };
    const urls = inbound.body.media.map((m) => new URL(m.url).pathname);
    const { media: _m, ...body } = inbound.body;
    return { batch, summary, full, recipient, listed, inbound: { ...inbound, body }, urls };
  }

  it('gets the batch, its delivery reports, the inbound and its media as before (no 404)', async () => {
    const p = await place();
    let sb = await start(p);
    const c = cred(sb, 'sinch');
    const dash = `${sb.baseUrl('sinch')}/dashboard/service-plans/${c.servicePlanId}/callback-url`;
    const headers = { authorization: `Bearer ${c.apiToken}`, 'content-type': 'application/json' };
    expect((await fetch(dash, { method: 'PUT', headers, body: JSON.stringify({ url: rx.url('/sinch/plan') }) })).status).toBe(200);
    const batch = await client(sb).sms.batches.sendMediaMessage({
      sendSMSRequestBody: {
        to: ['+15557770052'],
        from: '+15557770051',
        body: { url: media(), message: 'hello' },
        delivery_report: 'full',
        client_reference: 'r1',
      },
    });
    const batchId = batch.id!;
    const delivered = async () => (await client(sb).sms.deliveryReports.get({ batch_id: batchId, type: 'summary' })).statuses?.map((s) => s.status);
    await vi.waitFor(async () => expect(await delivered()).toEqual(['Delivered']), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(inboundOf(sb, 'sinch')).toBeDefined(), { timeout: 5000, interval: 20 });
    const inboundId = inboundOf(sb, 'sinch')!.id;
    const before = await read(sb, batchId, inboundId);
    expect(before.listed).toEqual([batchId]);
    expect(before.urls).toHaveLength(1);
    sb = await restart(sb, p);
    const after = await read(sb, batchId, inboundId);
    expect(after).toEqual(before);
    expect(await bytesAt(`${sb.origin}${before.urls[0]!}`)).toEqual(PNG);
    await expect(client(sb).sms.inbounds.list({})).resolves.toMatchObject({ data: [expect.objectContaining({ id: inboundId })] });
  });
});

describe('bandwidth: a kept message after a restart', () => {
  const axios = createRequire(import.meta.url)('axios') as AxiosStatic;
  let current: Sandbox | undefined;
  let interceptor: number;
  beforeAll(() => {
    // bandwidth-sdk asks api.bandwidth.com for its OAuth token; send that to the running sandbox.
    interceptor = axios.interceptors.request.use((cfg: InternalAxiosRequestConfig) => {
      if (current && cfg.url?.startsWith('https://api.bandwidth.com/')) cfg.url = cfg.url.replace('https://api.bandwidth.com', current.baseUrl('bandwidth'));
      return cfg;
    });
  });
  afterAll(() => axios.interceptors.request.eject(interceptor));

  const api = (sb: Sandbox) => {
    current = sb;
    const c = cred(sb, 'bandwidth');
    return new MessagesApi(new Configuration({ clientId: c.clientId!, clientSecret: c.clientSecret!, basePath: `${sb.baseUrl('bandwidth')}/api/v2` }));
  };

  it('lists the message as before and serves the re-hosted inbound media', async () => {
    const p = await place();
    let sb = await start(p);
    const { accountId, applicationId } = cred(sb, 'bandwidth') as { accountId: string; applicationId: string };
    const to = ['+15557770042'] as unknown as Set<string>;
    const sent = (await api(sb).createMessage(accountId, { applicationId, to, from: '+15557770041', text: 'hello', media: [media()] })).data;
    // listMessages' positional parameters between messageId and limit (sourceTn … pageToken).
    const u = undefined;
    const skip = [u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u, u] as const;
    const list = async (s: Sandbox) => (await api(s).listMessages(accountId, sent.id, ...skip, 10)).data;
    await vi.waitFor(async () => expect((await list(sb)).messages?.[0]?.messageStatus).toBe('DELIVERED'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(inboundOf(sb, 'bandwidth')).toBeDefined(), { timeout: 5000, interval: 20 });
    const inbound = inboundOf(sb, 'bandwidth')!;
    const before = await list(sb);
    sb = await restart(sb, p);
    expect(await list(sb)).toEqual(before);
    const token = await bandwidthAccessToken(sb);
    expect(await bytesAt(onOrigin(sb, inbound.media[0]!.url), { authorization: `Bearer ${token}` })).toEqual(PNG);
  });
  it("lists, gets and deletes the account's media as before (an upload sent in a message, the re-hosted inbound file)", async () => {
    const p = await place();
    let sb = await start(p);
    const { accountId, applicationId } = cred(sb, 'bandwidth') as { accountId: string; applicationId: string };
    const mediaApi = (s: Sandbox) => {
      current = s;
      const c = cred(s, 'bandwidth');
      return new MediaApi(new Configuration({ clientId: c.clientId!, clientSecret: c.clientSecret!, basePath: `${s.baseUrl('bandwidth')}/api/v2` }));
    };
    await mediaApi(sb).uploadMedia(accountId, 'pic.png', PNG as unknown as File, 'image/png');
    await mediaApi(sb).uploadMedia(accountId, 'unused.png', PNG as unknown as File, 'image/png');
    const own = `${sb.baseUrl('bandwidth')}/api/v2/users/${accountId}/media/pic.png`;
    const to = ['+15557770042'] as unknown as Set<string>;
    await api(sb).createMessage(accountId, { applicationId, to, from: '+15557770041', text: 'hi', media: [own] });
    await vi.waitFor(() => expect(inboundOf(sb, 'bandwidth')).toBeDefined(), { timeout: 5000, interval: 20 });
    const names = async (s: Sandbox) =>
      ((await mediaApi(s).listMedia(accountId)).data as Array<{ mediaName: string; contentLength: number }>).map((m) => [m.mediaName, m.contentLength]).sort();
    const before = await names(sb);
    expect(before).toHaveLength(3);
    sb = await restart(sb, p);
    // The upload no message used is not kept; the others are listed and served as before.
    expect(await names(sb)).toEqual(before.filter(([n]) => n !== 'unused.png'));
    const got = await mediaApi(sb).getMedia(accountId, 'pic.png', { responseType: 'arraybuffer' });
    expect(Buffer.from(got.data as unknown as ArrayBuffer)).toEqual(PNG);
    await mediaApi(sb).deleteMedia(accountId, 'pic.png');
    sb = await restart(sb, p);
    expect((await names(sb)).map(([n]) => n)).not.toContain('pic.png');
    await expect(mediaApi(sb).getMedia(accountId, 'pic.png')).rejects.toMatchObject({ response: { status: 404 } });
  });
});

describe('vonage: a kept inbound message after a restart', () => {
  it('serves the inbound media the sandbox re-hosted', async () => {
    const { Vonage } = await import('@vonage/server-sdk');
    const { MMSImage } = await import('@vonage/messages');
    const p = await place();
    let sb = await start(p);
    const c = cred(sb, 'vonage');
    const hosts = { apiHost: sb.baseUrl('vonage'), restHost: sb.baseUrl('vonage') };
    const vonage = new Vonage({ apiKey: c.apiKey!, apiSecret: c.apiSecret!, applicationId: c.applicationId!, privateKey: c.privateKey! }, hosts);
    const { messageUUID } = await vonage.messages.send(new MMSImage({ to: '15557770032', from: '15557770031', image: { url: media(), caption: 'hello' } }));
    await vi.waitFor(() => expect(sb.store.get(messageUUID)?.status).toBe('delivered'), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(inboundOf(sb, 'vonage')).toBeDefined(), { timeout: 5000, interval: 20 });
    const url = inboundOf(sb, 'vonage')!.media[0]!.url;
    expect(await bytesAt(url)).toEqual(PNG);
    sb = await restart(sb, p);
    expect(await bytesAt(onOrigin(sb, url))).toEqual(PNG);
  });
});

describe('the dialect details in messages.json', () => {
  const sinch = (sb: Sandbox) => {
    const c = cred(sb, 'sinch');
    return new SinchClient({ servicePlanId: c.servicePlanId!, apiToken: c.apiToken!, smsHostname: sb.baseUrl('sinch') });
  };
  const send = async (sb: Sandbox, text: string) =>
    (await sinch(sb).sms.batches.sendTextMessage({ sendSMSRequestBody: { to: ['+15551230052'], from: '+15557770051', body: text } })).id!;
  const saved = (p: Place) => JSON.parse(readFileSync(join(p.dataDir, 'messages.json'), 'utf8')) as { details: Record<string, Record<string, unknown>> };

  it('are bounded by retention (dropped with their message) and written 0600', async () => {
    const p = await place();
    const sb = await startSandbox({ port: 0, stepDelayMs: 1, dataDir: p.dataDir, credentialsFile: p.credentialsFile, maxMessages: 2 });
    running.push(sb);
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c']) ids.push(await send(sb, text));
    await vi.waitFor(() => expect(sb.store.get(ids[2]!)?.status).toBe('Delivered'), { timeout: 5000, interval: 20 });
    running.splice(running.indexOf(sb), 1);
    await sb.close();
    expect(Object.keys(saved(p).details).sort()).toEqual([ids[1], ids[2]].sort());
    expect(statSync(join(p.dataDir, 'messages.json')).mode & 0o777).toBe(0o600);
  });

  it('a damaged detail reads as absent (the provider answers its 404, not a 500) and a damaged details object is ignored', async () => {
    const p = await place();
    let sb = await start(p);
    const good = await send(sb, 'good');
    const bad = await send(sb, 'bad');
    await vi.waitFor(() => expect(sb.store.get(bad)?.status).toBe('Delivered'), { timeout: 5000, interval: 20 });
    running.splice(running.indexOf(sb), 1);
    await sb.close();
    const file = join(p.dataDir, 'messages.json');
    const value = saved(p);
    value.details[bad]!['sinch.batch'] = { id: bad, to: 'not a list', statuses: null };
    writeFileSync(file, JSON.stringify(value));
    sb = await start(p);
    await expect(sinch(sb).sms.batches.get({ batch_id: good })).resolves.toMatchObject({ id: good, body: 'good' });
    await expect(sinch(sb).sms.batches.get({ batch_id: bad })).rejects.toMatchObject({ statusCode: 404 });
    running.splice(running.indexOf(sb), 1);
    await sb.close();
    writeFileSync(file, JSON.stringify({ ...saved(p), details: 'garbage' }));
    sb = await start(p);
    expect(sb.store.get(good)?.body).toBe('good');
    await expect(sinch(sb).sms.batches.get({ batch_id: good })).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('re-hosted media after a restart', () => {
  it('is only what the sandbox re-hosted: an outbound media URL with the same path is not served at the sandbox', async () => {
    // A client's own server whose file path mimics the sandbox's re-hosting path, with an HTML type.
    const evil = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(req.method === 'HEAD' ? '' : '<script>1</script>'));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const p = await place();
      let sb = await start(p);
      const c = cred(sb, 'sinch');
      const key = '01abcdefghjkmnpqrstvwxyz01';
      const url = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/sinch/mms-media/${key}`;
      const client = new SinchClient({ servicePlanId: c.servicePlanId!, apiToken: c.apiToken!, smsHostname: sb.baseUrl('sinch') });
      const batch = await client.sms.batches.sendMediaMessage({ sendSMSRequestBody: { to: ['+15551230052'], from: '+15557770051', body: { url } } });
      await vi.waitFor(() => expect(sb.store.get(batch.id!)?.media[0]?.sha256).toEqual(expect.any(String)), { timeout: 5000, interval: 20 });
      sb = await restart(sb, p);
      expect((await fetch(`${sb.origin}/sinch/mms-media/${key}`)).status).toBe(404);
    } finally {
      evil.closeAllConnections();
      await new Promise<void>((r) => evil.close(() => r()));
    }
  });
});
