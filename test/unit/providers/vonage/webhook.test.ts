import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../../src/providers/types.js';
import { parseVonageWebhook, verifyVonageJwt, verifyVonageWebhook, vonagePayloadHashMatches } from '../../../../src/providers/vonage/webhook.js';
import { fixture } from './helpers.js';

// Reference §1.7 test vector (generated and checked with Node crypto by the reference author).
const SECRET = 'test-signature-secret-0123456789abcdef';
const TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MzU3MzI4MDAsImp0aSI6ImM1YmE4ZjI0LTFhMTQtNGMxMC1iZmRmLTNmYmU4Y2U1MTFiNSIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6ImQwODYyZDcwMWQxZTA2NjIwYTYyZDNhOWRjNjIxYTMzZDg4YWU4NzQwYzU1OWY2NTNlNDg2ZDc0MDM2YWEwNTMiLCJhcGlfa2V5IjoiYTFiMmMzZCIsImFwcGxpY2F0aW9uX2lkIjoiYWFhYWFhYWEtYmJiYi1jY2NjLWRkZGQtMDEyMzQ1Njc4OWFiIn0.8zb-ryB5Alin1gJOcb5qbIryqji3mVCQKmK8S_tSR7Y';
const BODY = fixture('webhook-inbound-image.json');
const IAT_MS = 1_735_732_800_000;

// Official SDK vector: Vonage Java SDK MessagesClientTest.testVerifySignature (no payload_hash).
const JAVA_SECRET = 'XsA09z2MhUxYcdbXaUX3aTT7TzGmnCLfkdILf0NIyC9hN9criTEUdlI3OZ5hRjR';
const JAVA_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJTaW5hIiwibmFtZSI6IkphdmFfU0RLIiwiaWF0IjoxNjk4NjgwMzkyfQ.4qJpi46NSYURiLI1xoLIfGRygA8IUI2QSG9P2Kus1Oo';

function request(body: string, authorization?: string): WebhookRequest {
  return {
    method: 'POST',
    publicUrl: 'https://abc.tunnel.test/vonage/inbound',
    headers: authorization === undefined ? {} : { authorization },
    rawBody: Buffer.from(body),
  };
}

function hs256(claims: object, secret: string, alg = 'HS256'): string {
  const h = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

describe('verifyVonageJwt (signature only)', () => {
  it('accepts the official Java SDK vector', () => {
    expect(verifyVonageJwt(JAVA_TOKEN, JAVA_SECRET)).toEqual({ sub: 'Sina', name: 'Java_SDK', iat: 1698680392 });
  });
  it('rejects the Java vector with a wrong secret or a tampered payload', () => {
    expect(verifyVonageJwt(JAVA_TOKEN, `${JAVA_SECRET}x`)).toBeUndefined();
    const [h, , s] = JAVA_TOKEN.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'Mallory', name: 'Java_SDK', iat: 1698680392 })).toString('base64url');
    expect(verifyVonageJwt(`${h}.${forged}.${s}`, JAVA_SECRET)).toBeUndefined();
  });
  it('refuses alg none and malformed tokens', () => {
    const h = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const p = Buffer.from('{"iss":"Vonage"}').toString('base64url');
    expect(verifyVonageJwt(`${h}.${p}.`, SECRET)).toBeUndefined();
    expect(verifyVonageJwt('a.b', SECRET)).toBeUndefined();
    expect(verifyVonageJwt(TOKEN, '')).toBeUndefined();
  });
});

describe('verifyVonageWebhook (reference vector with payload_hash)', () => {
  const creds = { signatureSecret: SECRET, apiKey: 'a1b2c3d', applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab' };
  const at = { nowMs: IAT_MS + 10_000 };

  it('accepts the valid vector', () => {
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), creds, at)).toBe(true);
  });
  it('rejects a tampered body (payload_hash mismatch)', () => {
    expect(verifyVonageWebhook(request(BODY.replace('14155550101', '14155550199'), `Bearer ${TOKEN}`), creds, at)).toBe(false);
  });
  it('rejects the wrong secret', () => {
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), { ...creds, signatureSecret: 'wrong-secret' }, at)).toBe(false);
  });
  it('rejects a missing header, a stale token and another account', () => {
    expect(verifyVonageWebhook(request(BODY), creds, at)).toBe(false);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), creds, { nowMs: IAT_MS + 3_600_000 })).toBe(false);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), { ...creds, apiKey: 'other' }, at)).toBe(false);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), { ...creds, applicationId: 'bbbbbbbb-bbbb-cccc-dddd-0123456789ab' }, at)).toBe(false);
  });
  it('accepts the temporary application of `mms listen --number` as ours, and only that one', () => {
    const other = { ...creds, applicationId: 'bbbbbbbb-bbbb-cccc-dddd-0123456789ab' };
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), { ...other, otherApplicationIds: ['aaaaaaaa-bbbb-cccc-dddd-0123456789ab'] }, at)).toBe(true);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${TOKEN}`), { ...other, otherApplicationIds: ['cccccccc-bbbb-cccc-dddd-0123456789ab'] }, at)).toBe(false);
  });
  it('rejects a correctly signed token without iss Vonage or without payload_hash', () => {
    const noIss = hs256({ iat: IAT_MS / 1000, payload_hash: 'd0862d701d1e06620a62d3a9dc621a33d88ae8740c559f653e486d74036aa053' }, SECRET);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${noIss}`), creds, at)).toBe(false);
    const noHash = hs256({ iat: IAT_MS / 1000, iss: 'Vonage' }, SECRET);
    expect(verifyVonageWebhook(request(BODY, `Bearer ${noHash}`), creds, at)).toBe(false);
  });
  it('matches payload_hash on re-serialised JSON when the body was pretty-printed', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(BODY), null, 2));
    expect(vonagePayloadHashMatches(pretty, 'd0862d701d1e06620a62d3a9dc621a33d88ae8740c559f653e486d74036aa053')).toBe(true);
    expect(vonagePayloadHashMatches(pretty, '00'.repeat(32))).toBe(false);
  });
});

describe('parseVonageWebhook', () => {
  const now = new Date('2025-02-02T00:00:00Z');
  it('parses an inbound image MMS, adding + to numbers', () => {
    expect(parseVonageWebhook(request(BODY), now)).toEqual([
      {
        type: 'message',
        provider: 'vonage',
        id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        from: '+14155550101',
        to: '+14155550100',
        body: '',
        media: [{ url: 'https://api-us.nexmo.com/v3/media/1b456509-974c-458b-aafa-45fc48a4d976' }],
        receivedAt: '2025-01-01T12:00:00Z',
      },
    ]);
  });
  it('collects every attachment of a multi-part message once, caption as body', () => {
    const [ev] = parseVonageWebhook(request(fixture('webhook-inbound-content.json')), now);
    expect(ev?.type).toBe('message');
    if (ev?.type !== 'message') return;
    expect(ev.body).toBe('two pictures');
    expect(ev.media.map((m) => m.url)).toEqual([
      'https://api-us.nexmo.com/v3/media/11111111-0000-0000-0000-000000000001',
      'https://api-us.nexmo.com/v3/media/11111111-0000-0000-0000-000000000002',
    ]);
  });
  it('parses delivered and rejected status callbacks', () => {
    expect(parseVonageWebhook(request(fixture('webhook-status-delivered.json')), now)).toEqual([
      {
        type: 'status',
        provider: 'vonage',
        id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        status: 'delivered',
        providerStatus: 'delivered',
        to: '+14155550100',
        from: '+14155550101',
        receivedAt: '2025-01-01T12:00:05Z',
      },
    ]);
    const [rej] = parseVonageWebhook(request(fixture('webhook-status-rejected.json')), now);
    expect(rej).toMatchObject({ type: 'status', status: 'failed', providerStatus: 'rejected', errorCode: 1120 });
  });
  it('returns no events for a body that is not a JSON object', () => {
    expect(parseVonageWebhook(request('[1,2]'), now)).toEqual([]);
    expect(parseVonageWebhook(request('nope'), now)).toEqual([]);
  });
});

describe('Vonage replay keys', () => {
  const creds = { signatureSecret: SECRET, apiKey: 'a1b2c3d', applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab' };
  const at = { nowMs: IAT_MS + 10_000 };
  const keysOf = (authorization: string, body = BODY): { ok: boolean; keys: string[] } => {
    const req = { ...request(body, authorization), verification: { replayKeys: [] as string[] } };
    return { ok: verifyVonageWebhook(req, creds, at), keys: req.verification.replayKeys };
  };

  it("notes the JWT's jti for a valid request, and nothing for a refused one", () => {
    const jti = (JSON.parse(Buffer.from(TOKEN.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(keysOf(`Bearer ${TOKEN}`)).toEqual({ ok: true, keys: [`vonage:jti:${jti}`] });
    expect(keysOf(`Bearer ${TOKEN}`, BODY.replace('14155550101', '14155550199'))).toEqual({ ok: false, keys: [] });
  });

  it('keys a JWT without jti on its signature bytes, whatever their spelling', () => {
    const claims = { iat: IAT_MS / 1000, iss: 'Vonage', payload_hash: createHash('sha256').update(BODY).digest('hex') };
    const token = hs256(claims, SECRET);
    const a = keysOf(`Bearer ${token}`);
    expect(a.ok).toBe(true);
    expect(a.keys).toEqual([expect.stringMatching(/^vonage:jwt:/)]);
    // 32 bytes in 43 base64url characters leave 2 spare bits: flipping one spells the same signature.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]!;
    expect(respelled).not.toBe(token);
    expect(keysOf(`Bearer ${respelled}`)).toEqual(a);
  });
});
