import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile, symlink, mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/errors/errors.js';
import {
  startWebhookServer,
  type MediaFetchEvent,
  type RejectedRequestEvent,
  type WebhookHttpRequest,
  type WebhookServer,
} from '../../../src/webhook/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An HTTP request whose path is sent byte for byte (fetch would normalise "..", "%2e" etc.). */
function raw(port: number, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let dir: string;
let srv: WebhookServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mms-server-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('startWebhookServer: binding', () => {
  it('binds 127.0.0.1 on a free port by default with a 128-bit random prefix', async () => {
    srv = await startWebhookServer();
    expect(srv.host).toBe('127.0.0.1');
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.origin).toBe(`http://127.0.0.1:${srv.port}`);
    expect(srv.prefix).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const other = await startWebhookServer();
    expect(other.prefix).not.toBe(srv.prefix);
    await other.close();
  });

  it('can bind ::1', async () => {
    try {
      srv = await startWebhookServer({ host: '::1' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return; // no IPv6 loopback here
      throw err;
    }
    expect(srv.origin).toBe(`http://[::1]:${srv.port}`);
    const path = srv.addWebhookRoute('t', () => ({ status: 204 }));
    const res = await fetch(`${srv.origin}${path}`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(204);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'localhost', 'example.com', '10.0.0.1', '::ffff:10.0.0.1'])('refuses to bind %s', async (host) => {
    await expect(startWebhookServer({ host })).rejects.toBeInstanceOf(UsageError);
  });

  it('reports a busy port as a UsageError', async () => {
    srv = await startWebhookServer();
    await expect(startWebhookServer({ port: srv.port })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', suggestion: expect.stringContaining('--port') });
  });

  it('close is idempotent', async () => {
    const s = await startWebhookServer();
    await Promise.all([s.close(), s.close()]);
    await s.close();
  });
});

describe('webhook routes', () => {
  it('passes method, raw path, query, headers and exact body bytes to the handler', async () => {
    let seen: WebhookHttpRequest | undefined;
    srv = await startWebhookServer();
    const path = srv.addWebhookRoute('twilio/inbound', (req) => {
      seen = req;
      return { status: 200, headers: { 'Content-Type': 'text/xml' }, body: '<Response></Response>' };
    });
    expect(path).toBe(`/${srv.prefix}/hooks/twilio/inbound`);
    const body = Buffer.concat([Buffer.from('Body=h%C3%A9llo+%F0%9F%91%8B&From=%2B1555'), randomBytes(64)]);
    const res = await raw(srv.port, 'POST', `${path}?a=1&b=%27x%27`, body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': 'abc',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.toString()).toBe('<Response></Response>');
    expect(seen?.method).toBe('POST');
    expect(seen?.path).toBe(path);
    expect(seen?.url).toBe(`${path}?a=1&b=%27x%27`);
    expect(seen?.query.get('b')).toBe("'x'");
    expect(seen?.headers['x-twilio-signature']).toBe('abc');
    expect(Buffer.compare(seen!.rawBody, body)).toBe(0);
  });

  it('supports async handlers and Buffer bodies', async () => {
    srv = await startWebhookServer();
    const path = srv.addWebhookRoute('a', async () => ({ status: 201, body: Buffer.from([1, 2, 3]) }));
    const res = await raw(srv.port, 'POST', path, '');
    expect(res.status).toBe(201);
    expect([...res.body]).toEqual([1, 2, 3]);
  });

  it.each(['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'])('answers %s with 405 and Allow: POST', async (method) => {
    let called = false;
    srv = await startWebhookServer();
    const path = srv.addWebhookRoute('a', () => ((called = true), { status: 200 }));
    const res = await raw(srv.port, method, path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(called).toBe(false);
  });

  it('rejects a body over the limit with 413 (declared Content-Length) without calling the handler', async () => {
    let called = false;
    const rejected: RejectedRequestEvent[] = [];
    srv = await startWebhookServer({ bodyLimit: 1024, onRejected: (e) => rejected.push(e) });
    const path = srv.addWebhookRoute('a', () => ((called = true), { status: 200 }));
    const res = await raw(srv.port, 'POST', path, Buffer.alloc(2048, 1));
    expect(res.status).toBe(413);
    expect(called).toBe(false);
    expect(rejected).toEqual([expect.objectContaining({ status: 413, method: 'POST' })]);
  });

  it('rejects a chunked body that grows over the limit with 413', async () => {
    let called = false;
    srv = await startWebhookServer({ bodyLimit: 1000 });
    const path = srv.addWebhookRoute('a', () => ((called = true), { status: 200 }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv!.port, method: 'POST', path, headers: { 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(600));
      setTimeout(() => req.end(Buffer.alloc(600)), 20);
    });
    expect(status).toBe(413);
    expect(called).toBe(false);
  });

  it('accepts a body exactly at the limit', async () => {
    srv = await startWebhookServer({ bodyLimit: 1000 });
    const path = srv.addWebhookRoute('a', (req) => ({ status: 200, body: String(req.rawBody.length) }));
    const res = await raw(srv.port, 'POST', path, Buffer.alloc(1000));
    expect(res.body.toString()).toBe('1000');
  });

  it('turns a throwing handler into a 500 and reports it', async () => {
    const errors: unknown[] = [];
    srv = await startWebhookServer({ onHandlerError: (e) => errors.push(e) });
    const path = srv.addWebhookRoute('a', () => {
      throw new Error('boom');
    });
    const res = await raw(srv.port, 'POST', path, 'x');
    expect(res.status).toBe(500);
    expect(res.body.toString()).not.toContain('boom');
    expect(errors).toHaveLength(1);
  });

  it('validates route names and refuses duplicates', async () => {
    srv = await startWebhookServer();
    for (const bad of ['', '../x', 'a/../b', 'a b', '/a', 'a/', 'a%2e', 'é']) expect(() => srv!.addWebhookRoute(bad, () => ({ status: 200 }))).toThrow();
    srv.addWebhookRoute('ok', () => ({ status: 200 }));
    expect(() => srv!.addWebhookRoute('ok', () => ({ status: 200 }))).toThrow(/already/);
  });
});

describe('404 for everything else', () => {
  it('rejects unknown paths, wrong prefixes and traversal attempts', async () => {
    const rejected: RejectedRequestEvent[] = [];
    srv = await startWebhookServer({ onRejected: (e) => rejected.push(e) });
    let calls = 0;
    const hook = srv.addWebhookRoute('twilio', () => ((calls += 1), { status: 200 }));
    const file = join(dir, 'secret.txt');
    await writeFile(file, 'top secret');
    const m = srv.addMediaFile({ path: file, contentType: 'text/plain' });
    const p = srv.prefix;
    // Differ in exactly the last character (whatever it is).
    const nearToken = m.token.slice(0, -1) + (m.token.endsWith('A') ? 'B' : 'A');
    const nearPrefix = p.slice(0, -1) + (p.endsWith('A') ? 'B' : 'A');
    const paths = [
      '/',
      '/favicon.ico',
      `/${p}`,
      `/${p}/`,
      `/${p}/hooks/`,
      `/${p}/hooks/twilio/`,
      `/${p}/hooks/twilio/../twilio`,
      `/${p}/hooks/./twilio`,
      `/${p}//hooks/twilio`,
      `/${p}/hooks/TWILIO`,
      `/${p}/hooks/%74wilio`,
      `/${p}%2Fhooks%2Ftwilio`,
      `/x/../${p}/hooks/twilio`,
      `/${p.slice(0, -1)}/hooks/twilio`,
      `/${nearPrefix}/hooks/twilio`,
      `/${p}x/hooks/twilio`,
      `/${p}/media/${m.token}`,
      `/${p}/media/${m.token}/`,
      `/${p}/media/${m.token}/../../../etc/passwd`,
      `/${p}/media/${m.token}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `/${p}/media/${m.token}/secret.txt/..`,
      `/${p}/media/${m.token}/other.txt`,
      `/${p}/media/${nearToken}/secret.txt`,
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const path of paths) {
      const get = await raw(srv.port, 'GET', path);
      const post = await raw(srv.port, 'POST', path, 'x=1');
      expect([path, get.status, post.status]).toEqual([path, 404, 404]);
      expect(get.body.toString()).toBe('Not Found');
    }
    expect(calls).toBe(0);
    expect(rejected.every((r) => r.status === 404 && r.reason === 'unknown path')).toBe(true);
    // Sanity: the real routes work.
    expect((await raw(srv.port, 'POST', hook, 'x')).status).toBe(200);
    expect((await raw(srv.port, 'GET', m.routePath)).body.toString()).toBe('top secret');
  });

  it('answers an absolute-form request target with 404', async () => {
    srv = await startWebhookServer();
    const hook = srv.addWebhookRoute('a', () => ({ status: 200 }));
    const text = await new Promise<string>((resolve, reject) => {
      let out = '';
      const s = connect(srv!.port, '127.0.0.1', () => {
        s.write(`POST http://127.0.0.1:${srv!.port}${hook} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      });
      s.on('data', (d) => (out += d.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 404/);
  });
});

describe('media files', () => {
  it('serves exact bytes with Content-Type and Content-Length, HEAD without a body, and counts fetches', async () => {
    const events: MediaFetchEvent[] = [];
    srv = await startWebhookServer({ onMediaFetched: (e) => events.push(e) });
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const file = join(dir, 'photo 1 (copy).jpg');
    await writeFile(file, bytes);
    const m = srv.addMediaFile({ path: file, contentType: 'image/jpeg', size: bytes.length });
    expect(m.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(m.routePath).toBe(`/${srv.prefix}/media/${m.token}/photo_1__copy_.jpg`);
    expect(srv.fetchCount(m.token)).toBe(0);

    const head = await raw(srv.port, 'HEAD', m.routePath);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('image/jpeg');
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.body.length).toBe(0);
    expect(srv.fetchCount(m.token)).toBe(0);

    const waiting = srv.waitForMediaFetch(m.token);
    const res = await fetch(`${srv.origin}${m.routePath}`, { headers: { 'user-agent': 'TwilioProxy/1.1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    const got = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    const ev = await waiting;
    expect(ev).toMatchObject({ token: m.token, method: 'GET', complete: true, bytes: bytes.length, fetchCount: 1, userAgent: 'TwilioProxy/1.1' });
    await fetch(`${srv.origin}${m.routePath}`).then((r) => r.arrayBuffer());
    expect(srv.fetchCount(m.token)).toBe(2);
    expect(events.map((e) => [e.method, e.fetchCount])).toEqual([
      ['HEAD', 0],
      ['GET', 1],
      ['GET', 2],
    ]);
    // Already fetched: resolves at once with the latest completed GET.
    await expect(srv.waitForMediaFetch(m.token)).resolves.toMatchObject({ method: 'GET', complete: true, fetchCount: 2 });
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s on a media route with 405', async (method) => {
    srv = await startWebhookServer();
    const file = join(dir, 'a.png');
    await writeFile(file, 'x');
    const m = srv.addMediaFile({ path: file, contentType: 'image/png' });
    const res = await raw(srv.port, method, m.routePath, 'x');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('serves an empty file', async () => {
    srv = await startWebhookServer();
    const file = join(dir, 'empty.gif');
    await writeFile(file, '');
    const m = srv.addMediaFile({ path: file, contentType: 'image/gif' });
    const res = await raw(srv.port, 'GET', m.routePath);
    expect([res.status, res.headers['content-length'], res.body.length]).toEqual([200, '0', 0]);
    expect(srv.fetchCount(m.token)).toBe(1);
  });

  it('refuses to serve a file whose size changed, a deleted file, or a directory', async () => {
    srv = await startWebhookServer();
    const file = join(dir, 'changing.png');
    await writeFile(file, 'abcdef');
    const m = srv.addMediaFile({ path: file, contentType: 'image/png', size: 6 });
    await truncate(file, 3);
    expect((await raw(srv.port, 'GET', m.routePath)).status).toBe(500);
    await rm(file);
    expect((await raw(srv.port, 'GET', m.routePath)).status).toBe(404);
    const sub = join(dir, 'adir');
    await mkdir(sub, { recursive: true });
    const d = srv.addMediaFile({ path: sub, contentType: 'image/png' });
    expect((await raw(srv.port, 'GET', d.routePath)).status).toBe(404);
    expect(srv.fetchCount(m.token)).toBe(0);
  });

  it('serves only the named file, never its neighbours, even through a symlinked directory', async () => {
    srv = await startWebhookServer();
    const sub = join(dir, 'real');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'ok.jpg'), 'ok');
    await writeFile(join(sub, 'neighbour.txt'), 'private');
    await symlink(sub, join(dir, 'link'));
    const m = srv.addMediaFile({ path: join(dir, 'link', 'ok.jpg'), contentType: 'image/jpeg' });
    expect((await raw(srv.port, 'GET', m.routePath)).body.toString()).toBe('ok');
    const neighbour = m.routePath.replace(/ok\.jpg$/, 'neighbour.txt');
    expect((await raw(srv.port, 'GET', neighbour)).status).toBe(404);
  });

  it('sanitises the URL file name and stops serving after removeMediaFile', async () => {
    srv = await startWebhookServer();
    const file = join(dir, 'x.jpg');
    await writeFile(file, 'x');
    const m = srv.addMediaFile({ path: file, contentType: 'image/jpeg', fileName: '../../\u202eevil 写真.jpg' });
    expect(m.routePath.split('/').pop()).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(m.routePath.split('/')).toHaveLength(5);
    expect((await raw(srv.port, 'GET', m.routePath)).status).toBe(200);
    expect(srv.removeMediaFile(m.token)).toBe(true);
    expect(srv.removeMediaFile(m.token)).toBe(false);
    expect((await raw(srv.port, 'GET', m.routePath)).status).toBe(404);
    await expect(srv.waitForMediaFetch(m.token)).rejects.toThrow();
  });

  it('waitForMediaFetch honours an AbortSignal', async () => {
    srv = await startWebhookServer();
    const file = join(dir, 'w.jpg');
    await writeFile(file, 'w');
    const m = srv.addMediaFile({ path: file, contentType: 'image/jpeg' });
    const ac = new AbortController();
    const p = srv.waitForMediaFetch(m.token, ac.signal);
    ac.abort(new Error('timeout'));
    await expect(p).rejects.toThrow('timeout');
  });

  it('waitForMediaFetch with atLeast resolves at the fetch that reaches the count (one wait per file for every recipient)', async () => {
    srv = await startWebhookServer();
    const data = Buffer.from('abc');
    const m = srv.addMediaFile({ path: join(dir, 'n.png'), contentType: 'image/png', data });
    let settled: number | undefined;
    const three = srv.waitForMediaFetch(m.token, undefined, 3).then((ev) => (settled = ev.fetchCount));
    for (let i = 1; i <= 2; i++) await fetch(`${srv.origin}${m.routePath}`).then((r) => r.arrayBuffer());
    await vi.waitFor(() => expect(srv!.fetchCount(m.token)).toBe(2));
    expect(settled).toBeUndefined();
    await fetch(`${srv.origin}${m.routePath}`).then((r) => r.arrayBuffer());
    await expect(three).resolves.toBe(3);
    // Already there: at once.
    await expect(srv.waitForMediaFetch(m.token, undefined, 2)).resolves.toMatchObject({ fetchCount: 3 });
  });

  it('reports an interrupted download as incomplete and does not count it', async () => {
    const events: MediaFetchEvent[] = [];
    srv = await startWebhookServer({ onMediaFetched: (e) => events.push(e) });
    const file = join(dir, 'big.bin');
    await writeFile(file, randomBytes(16 * 1024 * 1024));
    const m = srv.addMediaFile({ path: file, contentType: 'video/mp4' });
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv!.port, path: m.routePath, agent: false }, (res) => {
        res.once('data', () => req.destroy());
      });
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.end();
      setTimeout(() => reject(new Error('no close')), 5000);
    });
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toMatchObject({ method: 'GET', complete: false, fetchCount: 0 });
    expect(srv.fetchCount(m.token)).toBe(0);
  });
});

describe('aborted requests', () => {
  it('does not call the handler when the client disconnects mid-body', async () => {
    let called = false;
    srv = await startWebhookServer();
    const path = srv.addWebhookRoute('a', () => ((called = true), { status: 200 }));
    await new Promise<void>((resolve) => {
      const s = connect(srv!.port, '127.0.0.1', () => {
        s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial`);
        setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(called).toBe(false);
    // The server is still healthy.
    expect((await raw(srv.port, 'POST', path, 'x')).status).toBe(200);
  });
});
