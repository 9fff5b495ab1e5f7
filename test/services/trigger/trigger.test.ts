// `mms trigger` for all six providers: every webhook it sends is judged by the providers' official
// SDK validators where they exist (twilio, plivo, jsonwebtoken for Vonage, node's Ed25519 verify
// for Telnyx, @sinch/sdk-core for Sinch) and parsed by the project's own webhook parsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import plivo from 'plivo';
import jwt from 'jsonwebtoken';
import { validateWebhookSignature } from '@sinch/sdk-core';
import { getAdapter } from '../../../src/providers/registry.js';
import type { Credentials, ProviderName } from '../../../src/providers/types.js';
import { triggerWebhook, type TriggerRequest } from '../../../src/services/forward/trigger.js';
import { formatRawRequest } from '../../../src/commands/trigger.js';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let appUrl: string;
const seen: Seen[] = [];
let root: string;
const telnyxPair = generateKeyPairSync('ed25519');
const telnyxPem = telnyxPair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const CREDS: Record<ProviderName, Credentials> = {
  twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'twilio-token' },
  plivo: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'plivo-token' },
  telnyx: { apiKey: 'KEY', publicKey: '' },
  vonage: { apiKey: 'abc123', apiSecret: 's', applicationId: '9f0c3e57-0000-4000-8000-000000000001', signatureSecret: 'vonage-signature-secret' },
  bandwidth: { accountId: '9900000', applicationId: 'app-1', clientId: 'c', clientSecret: 'x', callbackUsername: 'cbuser', callbackPassword: 'cbpass' },
  sinch: { servicePlanId: 'plan', apiToken: 't', region: 'us', webhookSecret: 'sinch-secret' },
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mms-trigger-'));
  writeFileSync(
    join(root, 'cat.png'),
    Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082',
      'hex',
    ),
  );
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<Response/>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

const inbound = (url: string, extra: Partial<TriggerRequest> = {}): TriggerRequest => ({
  kind: 'inbound',
  url,
  from: '+15557654321',
  to: '+15551234567',
  body: 'Hello from the trigger',
  media: ['https://cdn.example.test/cat.jpg'],
  status: 'delivered',
  print: false,
  ...extra,
});

const statusReq = (url: string, extra: Partial<TriggerRequest> = {}): TriggerRequest => ({
  kind: 'status',
  url,
  from: '+15551234567',
  to: '+15557654321',
  body: '',
  media: [],
  id: 'MSG-1',
  status: 'undelivered',
  errorCode: '30003',
  print: false,
  ...extra,
});

/** The official validator of each provider, run on what the app received. */
function sdkAccepts(provider: ProviderName, s: Seen, url: string, creds: Credentials, telnyxPublic?: string): boolean {
  const h = s.headers;
  switch (provider) {
    case 'twilio':
      return twilio.validateRequest(creds.authToken!, String(h['x-twilio-signature']), url, Object.fromEntries(new URLSearchParams(s.body)));
    case 'plivo': {
      const params = Object.fromEntries(new URLSearchParams(s.body));
      const v3 = plivo.validateV3Signature('POST', url, String(h['x-plivo-signature-v3-nonce']), creds.authToken!, String(h['x-plivo-signature-v3']), params);
      const v2 = plivo.validateSignature(url, String(h['x-plivo-signature-v2-nonce']), String(h['x-plivo-signature-v2']), creds.authToken!);
      return Boolean(v3) && Boolean(v2);
    }
    case 'vonage': {
      const token = String(h.authorization).replace(/^Bearer /, '');
      const claims = jwt.verify(token, creds.signatureSecret!, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      return claims.iss === 'Vonage' && claims.payload_hash === createHash('sha256').update(s.body).digest('hex') && claims.api_key === creds.apiKey;
    }
    case 'telnyx': {
      const key = telnyxPublic
        ? createPublicKey({
            key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(telnyxPublic, 'base64')]),
            format: 'der',
            type: 'spki',
          })
        : telnyxPair.publicKey;
      const signed = Buffer.from(`${String(h['telnyx-timestamp'])}|${s.body}`);
      return verify(null, signed, key, Buffer.from(String(h['telnyx-signature-ed25519']), 'base64'));
    }
    case 'sinch':
      return validateWebhookSignature(creds.webhookSecret!, h, s.body);
    case 'bandwidth':
      return h.authorization === `Basic ${Buffer.from(`${creds.callbackUsername}:${creds.callbackPassword}`).toString('base64')}`;
  }
}

const PROVIDERS: ProviderName[] = ['twilio', 'plivo', 'telnyx', 'vonage', 'bandwidth', 'sinch'];

describe.each(PROVIDERS)('mms trigger %s', (provider) => {
  it('inbound: the SDK validator accepts it, and our parser reads the message (media included)', async () => {
    const adapter = await getAdapter(provider);
    const url = `${appUrl}/hooks/${provider}/in?x=1`;
    seen.length = 0;
    const out = await triggerWebhook(inbound(url), { adapter, credentials: CREDS[provider], ...(provider === 'telnyx' ? { secret: telnyxPem } : {}) });
    expect(out.answer).toMatchObject({ answered: 200, status: 200, body: '<Response/>' });
    expect(seen).toHaveLength(1);
    expect(sdkAccepts(provider, seen[0]!, url, CREDS[provider])).toBe(true);
    const req = { method: 'POST', publicUrl: url, headers: seen[0]!.headers, rawBody: Buffer.from(seen[0]!.body) };
    expect(
      adapter.verifyWebhook!(
        req,
        provider === 'telnyx' ? { publicKey: telnyxPair.publicKey.export({ format: 'pem', type: 'spki' }).toString() } : CREDS[provider],
      ),
    ).toBe(true);
    const events = adapter.parseWebhook!(req);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'message', provider, id: out.id, from: '+15557654321', to: '+15551234567' });
    if (events[0]!.type !== 'message') throw new Error('expected a message');
    expect(events[0]!.media.map((m) => m.url)).toEqual(['https://cdn.example.test/cat.jpg']);
    expect(events[0]!.body).toBe('Hello from the trigger');
  });

  it('status: the SDK validator accepts it, and our parser reads the final status', async () => {
    const adapter = await getAdapter(provider);
    const url = `${appUrl}/hooks/${provider}/status`;
    seen.length = 0;
    const out = await triggerWebhook(statusReq(url, provider === 'bandwidth' ? { status: 'failed', errorCode: '4720' } : {}), {
      adapter,
      credentials: CREDS[provider],
      ...(provider === 'telnyx' ? { secret: telnyxPem } : {}),
    });
    expect(out.answer?.answered).toBe(200);
    expect(sdkAccepts(provider, seen[0]!, url, CREDS[provider])).toBe(true);
    const events = adapter.parseWebhook!({ method: 'POST', publicUrl: url, headers: seen[0]!.headers, rawBody: Buffer.from(seen[0]!.body) });
    expect(events[0]).toMatchObject({ type: 'status', id: 'MSG-1', status: provider === 'bandwidth' ? 'failed' : 'undelivered' });
  });
});

describe('mms trigger details', () => {
  it('Telnyx without a key: a fresh pair, and the note names the public key the app must hold', async () => {
    const url = `${appUrl}/telnyx`;
    seen.length = 0;
    const out = await triggerWebhook(inbound(url, { media: [] }), { adapter: await getAdapter('telnyx'), credentials: CREDS.telnyx });
    const pub = /TELNYX_PUBLIC_KEY=(\S+)/.exec(out.notes.join('\n'))?.[1];
    expect(pub).toBeDefined();
    expect(sdkAccepts('telnyx', seen[0]!, url, CREDS.telnyx, pub)).toBe(true);
  });

  it('--secret-stdin replaces the profile secret; no secret at all is an auth error (exit 4)', async () => {
    const url = `${appUrl}/tw`;
    seen.length = 0;
    await triggerWebhook(inbound(url), { adapter: await getAdapter('twilio'), credentials: { accountSid: 'AC1' }, secret: 'from-stdin\n' });
    expect(sdkAccepts('twilio', seen[0]!, url, { authToken: 'from-stdin' })).toBe(true);
    await expect(triggerWebhook(inbound(url), { adapter: await getAdapter('sinch'), credentials: {} })).rejects.toMatchObject({
      code: 'AUTH_MISSING',
      exitCode: 4,
    });
  });

  it('--print builds and signs without sending; the raw request shows method, path, host, headers and body', async () => {
    seen.length = 0;
    const url = `${appUrl}/sms?a=b`;
    const out = await triggerWebhook(inbound(url, { print: true }), { adapter: await getAdapter('twilio'), credentials: CREDS.twilio });
    expect(out.answer).toBeUndefined();
    expect(seen).toHaveLength(0);
    const raw = formatRawRequest(out.request);
    const [head, body] = raw.split('\n\n');
    expect(head!.split('\n').slice(0, 2)).toEqual(['POST /sms?a=b HTTP/1.1', `Host: ${new URL(appUrl).host}`]);
    expect(head).toContain('content-type: application/x-www-form-urlencoded');
    expect(head).toMatch(/x-twilio-signature: \S+=/);
    expect(new URLSearchParams(body).get('MediaUrl0')).toBe('https://cdn.example.test/cat.jpg');
  });

  it('a local --media file is served on loopback until the app fetched it', async () => {
    const fetched: Array<{ status: number; type: string | null; bytes: number }> = [];
    const app = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const mediaUrl = new URLSearchParams(body).get('MediaUrl0')!;
        res.writeHead(200).end();
        void fetch(mediaUrl).then(async (r) =>
          fetched.push({ status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength }),
        );
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/sms`;
    const out = await triggerWebhook(inbound(url, { media: ['cat.png'] }), { adapter: await getAdapter('twilio'), credentials: CREDS.twilio, cwd: root });
    expect(out.media).toMatchObject([{ input: 'cat.png', fetched: 1 }]);
    expect(out.media[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await new Promise((r) => app.close(r));
  });

  it('an app that is down: no answer, the reason says why', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/x`;
    await new Promise((r) => dead.close(r));
    const out = await triggerWebhook(inbound(url), { adapter: await getAdapter('twilio'), credentials: CREDS.twilio });
    expect(out.answer).toMatchObject({ answered: 502, error: { reason: 'unreachable' } });
  });
});
