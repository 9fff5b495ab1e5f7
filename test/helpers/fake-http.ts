// A scripted HttpClient for adapter tests: no network, every request recorded.
import { readFileSync } from 'node:fs';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/providers/http-client.js';
import { ProviderError } from '../../src/errors/errors.js';

/** Answers in order and records every request; an unexpected request fails the test. */
export function fakeHttp(...responses: HttpResponse[]): HttpClient & { calls: HttpRequest[] } {
  const calls: HttpRequest[] = [];
  return {
    calls,
    async request(req) {
      calls.push(req);
      const next = responses.shift();
      if (!next) throw new Error(`unexpected request ${req.method} ${req.url}`);
      return next;
    },
  };
}

/** Shorthand for an HttpResponse. */
export function res(status: number, text: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, text, headers };
}

/** Reads test/fixtures/responses/<provider>/<name> as text. */
export function providerFixture(provider: string, name: string): string {
  return readFileSync(new URL(`../fixtures/responses/${provider}/${name}`, import.meta.url), 'utf8');
}

/** The ProviderError a synchronous parser throws (fails the test when it does not throw one). */
export function thrownProviderError(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProviderError) return e;
    throw e;
  }
  throw new Error('expected a ProviderError');
}
