import { describe, expect, it } from 'vitest';
import { parseCount, parseTimeoutSeconds, TUNNEL_FLAG_CHOICES as LISTEN_TUNNEL_CHOICES } from '../../../src/commands/flags.js';
import { listenExitCode } from '../../../src/commands/listen.js';
import { eventToJson, formatEventLines, formatNotice } from '../../../src/output/render-listen.js';
import type { ListenMessageEvent, ListenStatusEvent } from '../../../src/services/listen/types.js';
import { PLAIN_THEME } from '../../../src/output/theme.js';
import { CliError, UsageError } from '../../../src/errors/errors.js';
import { TUNNEL_CHOICES } from '../../../src/webhook/tunnel/select.js';
import { getAdapter } from '../../../src/providers/registry.js';

const message = (over: Partial<ListenMessageEvent> = {}): ListenMessageEvent => ({
  type: 'message',
  provider: 'twilio',
  id: `MM${'a'.repeat(32)}`,
  from: '+15557654321',
  to: '+15551234567',
  body: 'hello',
  media: [],
  receivedAt: '2025-03-04T05:06:07.000Z',
  ...over,
});

const status: ListenStatusEvent = {
  type: 'status',
  provider: 'twilio',
  id: `SM${'b'.repeat(32)}`,
  status: 'undelivered',
  providerStatus: 'undelivered',
  to: '+15551234567',
  errorCode: 30003,
  receivedAt: '2025-03-04T05:06:07.000Z',
};

describe('formatEventLines', () => {
  it('prints time, from → to and text, ISO time when piped', () => {
    expect(formatEventLines(message(), { tty: false, theme: PLAIN_THEME })).toEqual(['2025-03-04T05:06:07.000Z  +15557654321 → +15551234567  hello']);
    expect(formatEventLines(message(), { tty: true, theme: PLAIN_THEME })[0]).toMatch(/^\d\d:\d\d:\d\d {2}\+15557654321 → /);
  });

  it('shows escape sequences, controls and bidi overrides escaped, in every outside field', () => {
    const evil = message({
      from: '+1\u001b[2J',
      body: 'hi \u001b]52;c;cHduZWQ=\u0007 there\r\nline2 \u202eevil',
      media: [{ url: 'https://x.example/\u001b[31m', contentType: 'image/png\u0007' }],
    });
    const lines = formatEventLines(evil, { tty: false, theme: PLAIN_THEME });
    const all = lines.join('\n');
    expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(lines[0]).toContain('+1\\u001b[2J');
    expect(lines[0]).toContain('hi \\u001b]52;c;cHduZWQ=\\u0007 there\\r\\nline2 \\u202eevil');
    expect(lines[1]).toBe('  media 1/1  image/png\\u0007  https://x.example/\\u001b[31m');
  });

  it('lists each media item with type, size and saved path, or why it was not saved', () => {
    const lines = formatEventLines(
      message({
        body: '',
        media: [
          { url: 'https://a/1', contentType: 'image/jpeg', size: 2048, path: '/in/MM-1.jpg' },
          { url: 'https://a/2', saveError: 'download answered HTTP 404' },
        ],
      }),
      { tty: false, theme: PLAIN_THEME },
    );
    expect(lines).toEqual([
      '2025-03-04T05:06:07.000Z  +15557654321 → +15551234567  (no text)',
      '  media 1/2  image/jpeg  2.0 KB  saved /in/MM-1.jpg',
      '  media 2/2  type unknown  https://a/2  not saved: download answered HTTP 404',
    ]);
  });

  it('prints delivery receipts with their error code', () => {
    expect(formatEventLines(status, { tty: false, theme: PLAIN_THEME })).toEqual([
      `2025-03-04T05:06:07.000Z  status  SM${'b'.repeat(32)}  undelivered  → +15551234567  (error 30003)`,
    ]);
  });
});

describe('eventToJson', () => {
  it('has stable camelCase keys, null for unknowns, and keeps the raw text (JSON escapes it)', () => {
    const j = eventToJson(
      message({ body: 'a\u001bb', media: [{ url: 'https://a/1', contentType: 'image/png', path: '/in/x.png', size: 3 }, { url: 'https://a/2' }] }),
    );
    expect(j).toEqual({
      type: 'message',
      provider: 'twilio',
      id: `MM${'a'.repeat(32)}`,
      from: '+15557654321',
      to: '+15551234567',
      body: 'a\u001bb',
      media: [
        { url: 'https://a/1', contentType: 'image/png', size: 3, path: '/in/x.png' },
        { url: 'https://a/2', contentType: null, size: null },
      ],
      receivedAt: '2025-03-04T05:06:07.000Z',
    });
    expect(JSON.stringify(j)).toContain('a\\u001bb');
    expect(eventToJson(status)).toEqual({
      type: 'status',
      provider: 'twilio',
      id: `SM${'b'.repeat(32)}`,
      status: 'undelivered',
      providerStatus: 'undelivered',
      to: '+15551234567',
      from: null,
      errorCode: 30003,
      receivedAt: '2025-03-04T05:06:07.000Z',
    });
  });
});

describe('formatNotice', () => {
  it('words what the listener reports on stderr, outside text escaped; status lines are info, the rest warnings', () => {
    const t = PLAIN_THEME;
    expect(formatNotice({ type: 'tunnel-lost', message: 'server gone\u001b[2J' }, t)).toEqual({
      level: 'warn',
      line: 'The tunnel closed unexpectedly: server gone\\u001b[2J',
    });
    expect(formatNotice({ type: 'number-restored', number: '+15557770002' }, t)).toEqual({
      level: 'info',
      line: 'Restored the inbound webhook of +15557770002.',
    });
    expect(formatNotice({ type: 'signature-rejected', kind: 'inbound', client: 'curl/8' }, t)).toEqual({
      level: 'warn',
      line: 'Rejected an inbound webhook with a missing or invalid signature (403) from curl/8',
    });
    expect(formatNotice({ type: 'signature-rejected', kind: 'status', client: 'x' }, t).line).toMatch(/^Rejected a status webhook/);
    expect(formatNotice({ type: 'exec-failed', id: 'MM1', code: 3, signal: null }, t).line).toBe('--exec failed for MM1: exit code 3');
    expect(formatNotice({ type: 'exec-failed', id: 'MM1', code: null, signal: 'SIGTERM' }, t).line).toBe('--exec failed for MM1: killed by SIGTERM');
    const error = new CliError('PROVIDER_UNAVAILABLE', 7, 'Could not restore the inbound webhook of +1555: down', {
      suggestion: 'Run `mms listen --restore --number +1555` to try again',
    });
    expect(formatNotice({ type: 'restore-failed', error }, t)).toEqual({
      level: 'warn',
      line: 'Error: Could not restore the inbound webhook of +1555: down\nRun `mms listen --restore --number +1555` to try again',
    });
  });
});

describe('flags and exit codes', () => {
  it('offers the same --tunnel choices as the tunnel selector', () => {
    expect([...LISTEN_TUNNEL_CHOICES]).toEqual([...TUNNEL_CHOICES]);
  });

  it('parses --count and --timeout', () => {
    expect(parseCount(undefined)).toBeUndefined();
    expect(parseCount('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'x']) expect(() => parseCount(bad)).toThrow(UsageError);
    expect(parseTimeoutSeconds('0.5')).toBe(0.5);
    for (const bad of ['0', '-2', 'soon']) expect(() => parseTimeoutSeconds(bad)).toThrow(UsageError);
  });

  it('exits 0 when done or interrupted, 8 when --timeout hit before --count, 7 when the tunnel was lost', () => {
    expect(listenExitCode('count', 1, 1)).toBe(0);
    expect(listenExitCode('timeout', 0, 1)).toBe(8);
    expect(listenExitCode('timeout', 0, undefined)).toBe(0);
    expect(listenExitCode('signal', 0, 2)).toBe(0);
    expect(listenExitCode('tunnel-lost', 0, undefined)).toBe(7);
  });
});

describe('webhookSecretProblem', () => {
  it('names the env var of a secret that is optional for sending but needed to verify webhooks', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['telnyx', { apiKey: 'KEY' }, 'TELNYX_PUBLIC_KEY'],
      ['vonage', { apiKey: 'abc123', apiSecret: 's' }, 'VONAGE_SIGNATURE_SECRET'],
      ['sinch', { servicePlanId: 'plan', apiToken: 't' }, 'SINCH_WEBHOOK_SECRET'],
      ['twilio', { accountSid: 'AC', apiKey: 'SK', apiSecret: 's' }, 'TWILIO_AUTH_TOKEN'],
      ['bandwidth', { accountId: '1' }, 'BW_CALLBACK_USERNAME'],
    ];
    for (const [name, creds, env] of cases) {
      const adapter = await getAdapter(name);
      expect(adapter.webhookSecretProblem?.(creds, { configuresNumber: false })?.suggestion, name).toContain(env);
    }
    expect((await getAdapter('telnyx')).webhookSecretProblem?.({ apiKey: 'KEY', publicKey: 'k' }, { configuresNumber: false })).toBeUndefined();
    // Bandwidth: --number sets up its own callback credentials on the temporary application.
    const bw = await getAdapter('bandwidth');
    expect(bw.webhookSecretProblem?.({ accountId: '1' }, { configuresNumber: true })).toBeUndefined();
    expect(bw.webhookSecretProblem?.({ callbackUsername: 'u', callbackPassword: 'p' }, { configuresNumber: false })).toBeUndefined();
  });
});
