// The checks in front of the web phone and /_sandbox: Host must be this loopback listener, and a
// write must not come from another origin.
import { describe, expect, it } from 'vitest';
import { refuseRequest } from '../../src/sandbox/ui/guard.js';

const PORT = 4780;

describe('refuseRequest', () => {
  it.each([
    ['127.0.0.1:4780', true],
    ['localhost:4780', true],
    ['[::1]:4780', true],
    ['127.0.0.2:4780', true],
    ['127.0.0.1:4781', false],
    ['127.0.0.1', false],
    ['evil.example:4780', false],
    ['localhost.evil.example:4780', false],
    ['user@127.0.0.1:4780', false],
    ['', false],
  ])('Host %j allowed: %s', (host, allowed) => {
    expect(refuseRequest('GET', host ? { host } : {}, PORT) === undefined).toBe(allowed);
  });

  it.each([
    [{}, true],
    [{ origin: 'http://127.0.0.1:4780', 'sec-fetch-site': 'same-origin' }, true],
    [{ origin: 'http://localhost:4780' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ origin: 'http://127.0.0.1:9999' }, false],
    [{ origin: 'http://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'not a url' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
  ])('a POST with %j allowed: %s', (headers, allowed) => {
    expect(refuseRequest('POST', { host: '127.0.0.1:4780', ...headers }, PORT) === undefined).toBe(allowed);
  });

  it('lets cross-origin reads through (the browser keeps their answers from the other page)', () => {
    expect(refuseRequest('GET', { host: '127.0.0.1:4780', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, PORT)).toBeUndefined();
  });
});
