// Never leak (issue 8): every command that talks to a provider runs with known secrets against a
// loopback server that echoes the credentials back in its error bodies (raw, as the decoded and the
// encoded Basic header, URL-encoded, JSON-escaped), and nothing mms prints or writes may contain a
// secret in any encoding. The encodings are computed here, independently of src/config/redact.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/run-in-process.js';
import { saveMediaItem } from '../../src/webhook/media-save.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
// Characters that every encoding changes: '/', '+', '"', '\', '%', a space and non-ASCII.
const AUTH_TOKEN = 'tok/en+9"q\\u%20 z é-S3cr3tValue';
const API_SECRET = 'ApiS3cr3t/with+plus=and%percent';
const API_KEY = 'SK0123456789abcdef0123456789abcdef';
// The other providers' secrets (used by the per-provider block below).
const OTHER = {
  telnyx: { env: { TELNYX_API_KEY: 'KEY0190tElnyx/Secret+Value"x' }, id: '40318f2b-5d8a-4d3b-9a51-1f0e9a1b2c3d' },
  plivo: { env: { PLIVO_AUTH_ID: 'MA0123456789ABCDEFGH', PLIVO_AUTH_TOKEN: 'plivo/Token+Secret%Value"x' }, id: '40318f2b-5d8a-4d3b-9a51-1f0e9a1b2c3d' },
  vonage: { env: { VONAGE_API_KEY: 'abc12345', VONAGE_API_SECRET: 'vonage/Secret+Value%20"x' }, id: '40318f2b-5d8a-4d3b-9a51-1f0e9a1b2c3d' },
  bandwidth: {
    env: {
      BW_ACCOUNT_ID: '9900000',
      BW_MESSAGING_APPLICATION_ID: '40318f2b-5d8a-4d3b-9a51-1f0e9a1b2c3d',
      BW_CLIENT_ID: 'client-id-1',
      BW_CLIENT_SECRET: 'bandwidth/Client+Secret%"x',
    },
    id: '1589228074636lm4k2je7j7jklbn2',
  },
  sinch: { env: { SINCH_SERVICE_PLAN_ID: 'abcdef0123456789', SINCH_API_TOKEN: 'sinch/Api+Token%Value"x', SMS_REGION: 'us' }, id: '01FC66621XXXXX119Z8PMV1QPQ' },
} as const;
const OTHER_SECRETS = ['TELNYX_API_KEY', 'PLIVO_AUTH_TOKEN', 'VONAGE_API_SECRET', 'BW_CLIENT_SECRET', 'SINCH_API_TOKEN'].map(
  (k) =>
    Object.values(OTHER)
      .flatMap((p) => Object.entries(p.env))
      .find(([name]) => name === k)![1],
);
const SECRETS = [AUTH_TOKEN, API_SECRET, ...OTHER_SECRETS];

/** Base64 of `prefix + secret`, minus the characters that also depend on the bytes around the secret. */
function base64Cores(secret: string): string[] {
  const cores: string[] = [];
  for (const prefix of ['', 'x', 'xx']) {
    const b64 = Buffer.from(prefix + secret, 'utf8').toString('base64');
    // Drop the first group (mixes in the prefix) and the last 2 groups (the bytes after the secret).
    const core = b64.slice(4, -8);
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Every way the secret could appear in text: independent of the redactor under test. */
function encodings(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    new URLSearchParams({ x: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(3, -3),
    Buffer.from(`${ACCOUNT_SID}:${secret}`).toString('base64'),
    ...base64Cores(secret),
  ];
  // A secret cut short (an error body truncated to N characters) is still a leak: any 12 characters.
  for (let i = 0; i + 12 <= secret.length; i++) forms.push(secret.slice(i, i + 12));
  return [...new Set(forms)].filter((f) => f.length >= 8);
}

const FORBIDDEN = SECRETS.flatMap((s) => encodings(s).map((form) => ({ secret: s, form })));

/** Fails naming where and in which form a secret was found. */
function expectClean(where: string, text: string): void {
  for (const { form } of FORBIDDEN) {
    if (text.includes(form)) {
      const at = text.indexOf(form);
      expect.fail(`${where} contains a secret (form ${JSON.stringify(form)}) near: ${JSON.stringify(text.slice(Math.max(0, at - 80), at + form.length + 80))}`);
    }
  }
}

type Mode = 401 | 400 | 404 | 500 | 'ok';

/** A Twilio-shaped server that repeats the caller's credentials back in every error body. */
interface EchoServer {
  url: string;
  mode: Mode;
  requests: number;
  close(): Promise<void>;
}

function echoText(req: IncomingMessage, body: string): string {
  const auth = req.headers.authorization ?? '';
  const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const secretsInPlay = [basic.slice(basic.indexOf(':') + 1), bearer].filter(Boolean);
  const parts = [
    `Authorization: ${auth}`,
    `decoded: ${basic}`,
    `url: ${req.url ?? ''}`,
    `body: ${body}`,
    ...secretsInPlay.flatMap((s) => [`urlenc=${encodeURIComponent(s)}`, `json=${JSON.stringify(s)}`, `b64=${Buffer.from(s).toString('base64')}`]),
  ];
  return parts.join(' | ');
}

function answer(server: EchoServer, req: IncomingMessage, res: ServerResponse, body: string): void {
  server.requests++;
  const echo = echoText(req, body);
  const mode = server.mode;
  if (mode === 'ok' && req.method === 'GET' && /\/Accounts\/AC[0-9a-f]+\.json$/.test(req.url ?? '')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: ACCOUNT_SID, friendly_name: `echo ${echo}`, status: 'active' }));
    return;
  }
  if (mode === 500) {
    // A gateway page, not Twilio's JSON: the raw text is all there is to report.
    res.writeHead(502, { 'content-type': 'text/html' });
    // The raw secret straddles character 200, where an error message might cut a body short.
    const head = `<html><body><h1>502 Bad Gateway</h1><pre>`;
    const decoded = echo.slice(echo.indexOf('decoded: ') + 'decoded: '.length).split(' | ')[0]!;
    const bearer = /Authorization: Bearer (\S+)/.exec(echo)?.[1] ?? '';
    const secret = decoded ? decoded.slice(decoded.indexOf(':') + 1) : bearer;
    res.end(`${head}${'x'.repeat(Math.max(0, 185 - head.length))}${secret} ${echo}</pre></body></html>`);
    return;
  }
  const status = mode === 'ok' ? 400 : mode;
  res.writeHead(status, { 'content-type': 'application/json' });
  if (!(req.url ?? '').startsWith('/2010-04-01/')) {
    // Not Twilio: every field some provider reads its error text from.
    const errors = [{ code: '10009', title: echo, detail: echo, description: echo }];
    res.end(
      JSON.stringify({ error: echo, error_description: echo, message: echo, title: echo, detail: echo, description: echo, type: echo, text: echo, errors }),
    );
    return;
  }
  res.end(JSON.stringify({ code: status === 401 ? 20003 : status === 404 ? 20404 : 21211, message: echo, more_info: `https://x.invalid/?${echo}`, status }));
}

async function startEcho(): Promise<EchoServer> {
  const echo: EchoServer = { url: '', mode: 401, requests: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => answer(echo, req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  echo.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  echo.close = () => new Promise<void>((r) => server.close(() => r()));
  return echo;
}

/** Every file under `dir`, except the one that holds the secrets by design. */
function writtenFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...writtenFiles(p));
    else if (name !== 'credentials.json') out.push(p);
  }
  return out;
}

describe('secrets echoed back by the provider never leak', () => {
  let echo: EchoServer;
  let root: string;
  let configDir: string;
  let work: string;
  const env = (): Record<string, string> => ({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, MMS_TWILIO_BASE_URL: echo.url });

  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(async () => {
    await echo.close();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mms-echo-'));
    configDir = join(root, 'config');
    work = join(root, 'work');
    mkdirSync(work);
    return () => rmSync(root, { recursive: true, force: true });
  });

  async function mms(args: string[], opts: { env?: Record<string, string | undefined>; input?: string } = {}) {
    const r = await runInProcess(args, { configDir, env: { ...env(), ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}) });
    expectClean(`stdout of mms ${args.join(' ')}`, r.stdout);
    expectClean(`stderr of mms ${args.join(' ')}`, r.stderr);
    for (const dir of [configDir, work]) {
      try {
        for (const f of writtenFiles(dir)) expectClean(`file ${f} after mms ${args.join(' ')}`, readFileSync(f, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return r;
  }

  const sendArgs = (extra: string[] = []) => ['send', '--provider', 'twilio', '--to', '+15550001111', '--from', '+15550002222', '--body', 'hi', ...extra];

  for (const mode of [401, 400, 500] as const) {
    describe(`the provider answers ${mode === 500 ? '502 with an HTML page' : mode} echoing the credentials`, { timeout: 60_000 }, () => {
      beforeEach(() => {
        echo.mode = mode;
      });
      it('send (human, --json, --debug, --ndjson) and its journal', async () => {
        const before = echo.requests;
        const journal = join(work, 'run.jsonl');
        const human = await mms(sendArgs(['--journal', journal]));
        expect(human.code).not.toBe(0);
        expect(human.code).not.toBe(1);
        expect(readFileSync(journal, 'utf8')).toMatch(/"status":"(failed|unknown)"/);
        const json = await mms(sendArgs(['--json']));
        expect(json.stdout).toContain('"error"');
        const debug = await mms(sendArgs(['--debug', '--json']));
        expect(debug.stderr).toContain('[debug]');
        await mms(sendArgs(['--ndjson', '--debug']));
        expect(echo.requests).toBeGreaterThan(before);
      });
      it('send with an API key and secret', async () => {
        const r = await mms(sendArgs(['--json', '--debug']), { env: { TWILIO_AUTH_TOKEN: undefined, TWILIO_API_KEY: API_KEY, TWILIO_API_SECRET: API_SECRET } });
        expect(r.code).not.toBe(0);
        expect(r.code).not.toBe(1);
      });
      it('status (human, --json, --debug)', async () => {
        const id = 'SM0123456789abcdef0123456789abcdef';
        for (const extra of [[], ['--json'], ['--debug']]) {
          const r = await mms(['status', id, '--provider', 'twilio', ...extra]);
          expect(r.code).not.toBe(0);
          expect(r.code).not.toBe(1);
        }
      });
      it('login (human, --json, --debug) with the secret on stdin', async () => {
        for (const extra of [[], ['--json'], ['--debug']]) {
          const r = await mms(['login', '--provider', 'twilio', '--account-sid', ACCOUNT_SID, '--auth-token-stdin', '--base-url', echo.url, ...extra], {
            env: { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined },
            input: AUTH_TOKEN,
          });
          expect(r.code).not.toBe(0);
          expect(r.code).not.toBe(1);
        }
      });
      it('whoami --verify (human, --json, --debug)', async () => {
        for (const extra of [[], ['--json'], ['--debug']]) {
          const r = await mms(['whoami', '--verify', ...extra]);
          expect(r.code).not.toBe(0);
          expect(r.code).not.toBe(1);
        }
      });
      it('listen --number (human, --json, --debug)', async () => {
        for (const extra of [[], ['--json'], ['--debug']]) {
          const r = await mms([
            'listen',
            '--provider',
            'twilio',
            '--number',
            '+15550002222',
            '--public-url',
            'https://example.invalid/hook',
            '--count',
            '1',
            ...extra,
          ]);
          expect(r.code).not.toBe(0);
          expect(r.code).not.toBe(1);
        }
      });
    });
  }

  it('login accepted (the account name echoes the credentials), then whoami, profiles, config list', async () => {
    echo.mode = 'ok';
    const login = await mms(['login', '--provider', 'twilio', '--account-sid', ACCOUNT_SID, '--auth-token-stdin', '--base-url', echo.url, '--debug'], {
      env: { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined },
      input: AUTH_TOKEN,
    });
    expect(login.code).toBe(0);
    const stored = { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, MMS_TWILIO_BASE_URL: undefined };
    for (const args of [
      ['whoami', '--verify'],
      ['whoami', '--verify', '--json'],
      ['profiles', '--json'],
      ['config', 'list', '--json'],
      ['providers'],
      ['providers', '--json'],
    ]) {
      const r = await mms(args, { env: stored });
      expect(r.code, `mms ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    echo.mode = 401;
    const send = await mms(sendArgs(['--json', '--journal', join(work, 'stored.jsonl')]), { env: stored });
    expect(send.code).toBe(4);
  });
});

describe('saved inbound media', () => {
  let proxy: { url: string; seen: string[]; close(): Promise<void> };
  let root: string;
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  beforeAll(async () => {
    const seen: string[] = [];
    const media = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
      res.end(PNG);
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', () => r()));
    // A CONNECT proxy that tunnels every target to the media server: the media host never resolves.
    const server = createServer();
    server.on('connect', (req: IncomingMessage, client: Socket) => {
      seen.push(req.url ?? '');
      const upstream = connect((media.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    proxy = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      close: async () => {
        server.closeAllConnections();
        media.closeAllConnections();
        await Promise.all([new Promise<void>((r) => server.close(() => r())), new Promise<void>((r) => media.close(() => r()))]);
      },
    };
  });
  afterAll(async () => {
    await proxy.close();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mms-media-'));
    return () => rmSync(root, { recursive: true, force: true });
  });

  it('are files 0600 in a 0700 directory, fetched through HTTP_PROXY', async () => {
    const dir = join(root, 'inbox', 'media');
    const saved = await saveMediaItem('http://media.invalid/a.png', 'MM1', 0, undefined, { dir, env: { HTTP_PROXY: proxy.url } });
    expect(proxy.seen).toContain('media.invalid:80');
    expect(readFileSync(saved.path)).toEqual(PNG);
    expect(statSync(saved.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('bypass the proxy for NO_PROXY hosts', async () => {
    const before = proxy.seen.length;
    await expect(
      saveMediaItem('http://media.invalid/b.png', 'MM2', 0, undefined, { dir: root, env: { HTTP_PROXY: proxy.url, NO_PROXY: 'media.invalid' } }),
    ).rejects.toThrow();
    expect(proxy.seen.length).toBe(before);
  });
});

describe('every provider: secrets echoed back in error bodies never leak', () => {
  let echo: EchoServer;
  let root: string;
  let configDir: string;

  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(async () => {
    await echo.close();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mms-echo-all-'));
    configDir = join(root, 'config');
    return () => rmSync(root, { recursive: true, force: true });
  });

  for (const [provider, { env, id }] of Object.entries(OTHER)) {
    // 502 answers are ambiguous for a send: settling them asks the provider's log, which takes a few seconds.
    it.each([401, 400, 500] as const)(`${provider}: send, status and whoami --verify against answers of %s`, { timeout: 60_000 }, async (mode) => {
      echo.mode = mode;
      const upper = provider.toUpperCase();
      const runEnv = { ...env, [`MMS_${upper}_BASE_URL`]: echo.url, MMS_BANDWIDTH_TOKEN_URL: `${echo.url}/oauth2/token` };
      const journal = join(root, `${provider}.jsonl`);
      const send = ['send', '--provider', provider, '--to', '+15550001111', '--from', '+15550002222', '--body', 'hi'];
      const runs = [
        // A 502 is settled from the provider's log (seconds): one send then, in JSON with the debug log.
        ...(mode === 500
          ? [[...send, '--journal', journal, '--json', '--debug']]
          : [
              [...send, '--journal', journal],
              [...send, '--json', '--debug'],
            ]),
        ['status', id, '--provider', provider, '--json', '--debug'],
        ['status', id, '--provider', provider],
        ['whoami', '--provider', provider, '--verify', '--debug'],
        ['whoami', '--provider', provider, '--verify', '--json'],
      ];
      const before = echo.requests;
      for (const args of runs) {
        const r = await runInProcess(args, { configDir, env: runEnv });
        expect(r.code, `mms ${args.join(' ')}: ${r.stderr}`).not.toBe(0);
        expect(r.code, `mms ${args.join(' ')}: ${r.stderr}`).not.toBe(1);
        expectClean(`stdout of mms ${args.join(' ')}`, r.stdout);
        expectClean(`stderr of mms ${args.join(' ')}`, r.stderr);
      }
      expect(echo.requests).toBeGreaterThan(before);
      expectClean(`journal of ${provider}`, readFileSync(journal, 'utf8'));
    });
  }
});
