import { readFileSync } from 'node:fs';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../../src/providers/http-client.js';

/** Reads a fixture under test/fixtures/responses/vonage as text. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/responses/vonage/${name}`, import.meta.url), 'utf8');
}

/** A scripted HttpClient: answers in order and records every request. */
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
