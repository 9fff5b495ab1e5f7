// The sandbox router: method + path pattern with named parameters → handler, first match wins.
import { describe, expect, it } from 'vitest';
import { compilePattern, createRouter, route } from '../../../src/sandbox/router.js';
import type { SandboxRequest, SandboxResponse } from '../../../src/sandbox/types.js';
import { json } from '../../../src/sandbox/types.js';

function req(method: string, path: string): SandboxRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, rawBody: Buffer.alloc(0) };
}

/** The JSON body of a response. */
function body(r: SandboxResponse): unknown {
  return JSON.parse(String(r.body));
}

describe('compilePattern', () => {
  it('matches literals exactly and escapes regex characters in them', () => {
    const { regex } = compilePattern('/2010-04-01/Accounts.json');
    expect(regex.test('/2010-04-01/Accounts.json')).toBe(true);
    expect(regex.test('/2010-04-01/AccountsXjson')).toBe(false);
    expect(regex.test('/2010-04-01/Accounts.json/')).toBe(false);
  });

  it('reads :name as one segment and :name(regex) with nested groups', () => {
    const { regex, names } = compilePattern('/Messages/:sid((?:SM|MM)[0-9a-f]{4}).json/:rest(.*)');
    expect(names).toEqual(['sid', 'rest']);
    expect(regex.exec('/Messages/MMabcd.json/a/b')?.groups).toEqual({ sid: 'MMabcd', rest: 'a/b' });
    expect(regex.test('/Messages/XXabcd.json/')).toBe(false);
  });

  it('refuses a repeated parameter and an unbalanced group', () => {
    expect(() => compilePattern('/:a/:a')).toThrow(SyntaxError);
    expect(() => compilePattern('/:a((x)')).toThrow(SyntaxError);
  });
});

describe('createRouter', () => {
  const router = createRouter([
    route('GET', '/items/:id', (_r, p) => json(200, { get: p.id })),
    route(['PUT', 'patch'], '/items/:id', (r, p) => json(200, { [r.method.toLowerCase()]: p.id })),
    route('*', '/items/:id', (r) => json(405, { method: r.method })),
    route('GET', '/files/:name(.*)', (_r, p) => json(200, { name: p.name })),
    route('GET', '/Case/:id', (_r, p) => json(200, { id: p.id }), { ignoreCase: true }),
  ]);
  const fallback = () => json(404, { fallback: true });

  it('dispatches by method and passes raw (undecoded) parameters', async () => {
    expect(body(await router.dispatch(req('GET', '/items/a%20b'), fallback))).toEqual({ get: 'a%20b' });
    expect(body(await router.dispatch(req('PATCH', '/items/7'), fallback))).toEqual({ patch: '7' });
    expect(body(await router.dispatch(req('put', '/items/7'), fallback))).toEqual({ put: '7' });
  });

  it('tries routes in order: a catch-all after the specific methods', async () => {
    const r = await router.dispatch(req('DELETE', '/items/7'), fallback);
    expect(r.status).toBe(405);
    expect(body(r)).toEqual({ method: 'DELETE' });
  });

  it('falls back when no route matches, and one-segment parameters do not cross slashes', async () => {
    expect(body(await router.dispatch(req('GET', '/items/7/x'), fallback))).toEqual({ fallback: true });
    expect(body(await router.dispatch(req('GET', '/files/a/b.png'), fallback))).toEqual({ name: 'a/b.png' });
    expect(router.match('POST', '/files/a')).toBeUndefined();
  });

  it('matches case-insensitively only where asked', () => {
    expect(router.match('GET', '/case/X')?.params).toEqual({ id: 'X' });
    expect(router.match('GET', '/ITEMS/1')).toBeUndefined();
  });
});
