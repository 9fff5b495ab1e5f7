import { describe, expect, it } from 'vitest';
import { callClient } from '../../../src/providers/http-client.js';
import { fakeHttp, res } from '../../helpers/fake-http.js';

describe('callClient', () => {
  it("adds the call's signal and default headers; a request's own headers win", async () => {
    const http = fakeHttp(res(200, ''), res(200, ''));
    const signal = new AbortController().signal;
    const client = callClient({ http, signal }, { Authorization: 'Basic x', Accept: 'application/json' });
    await client.request({ method: 'GET', url: 'http://127.0.0.1/a' });
    await client.request({ method: 'POST', url: 'http://127.0.0.1/b', headers: { Accept: 'text/xml', 'Content-Type': 'text/plain' }, body: 'x' });
    expect(http.calls[0]).toEqual({ method: 'GET', url: 'http://127.0.0.1/a', headers: { Authorization: 'Basic x', Accept: 'application/json' }, signal });
    expect(http.calls[1]?.headers).toEqual({ Authorization: 'Basic x', Accept: 'text/xml', 'Content-Type': 'text/plain' });
    expect(http.calls[1]?.signal).toBe(signal);
  });

  it('adds nothing when the call has no signal and no default headers', async () => {
    const http = fakeHttp(res(200, ''));
    await callClient({ http }).request({ method: 'GET', url: 'http://127.0.0.1/a' });
    expect(http.calls[0]).toEqual({ method: 'GET', url: 'http://127.0.0.1/a' });
  });
});
