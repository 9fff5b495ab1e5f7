#!/usr/bin/env node
// `npm run demo:forward`: `mms listen --forward-to` in front of a tiny app, against `mms sandbox`,
// with no account and no network beyond loopback.
// 1. start the sandbox (a local emulator of Twilio's API and the others) on a free loopback port
// 2. start a tiny node:http "app" that checks X-Twilio-Signature for its own URL (as an unmodified
//    production app would) and answers TwiML: <Response><Message>…</Message></Response>
// 3. `mms listen --number <a sandbox number> --forward-to <the app> --count 1`
// 4. `mms send` to that number: the sandbox delivers it as an inbound webhook to the listener, which
//    verifies it, re-signs it for the app's URL, forwards it and relays the app's TwiML answer
// 5. show the event log (`mms events list`) and, when the sandbox acts on TwiML replies, the auto-reply
// Everything lives in a temporary config directory: your own ~/.config/mmscli is not touched.
import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mms.js');
const configDir = mkdtempSync(join(tmpdir(), 'mms-demo-forward-'));
const bold = process.stdout.isTTY && !process.env.NO_COLOR;
const say = (s) => process.stdout.write(bold ? `\n\x1b[1m${s}\x1b[0m\n` : `\n${s}\n`);
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const REPLY = 'Thanks, got it!';
// Nothing here may hang a terminal: the whole demo has this long.
const deadline = setTimeout(() => fail(new Error('the demo took longer than 30 s')), 30_000);
deadline.unref();

let env = { ...process.env, MMS_CONFIG_DIR: configDir, NO_UPDATE_NOTIFIER: '1' };
const children = [];

function mms(args, { stdout = 'inherit', stderr = 'inherit' } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env, cwd: root, stdio: ['ignore', stdout, stderr] });
  children.push(child);
  return child;
}
const exited = (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

/** X-Twilio-Signature as twilio.validateRequest checks it: HMAC-SHA1 over the URL and the sorted form fields. */
function twilioSignatureValid(authToken, url, body, signature) {
  const params = new URLSearchParams(body);
  const data = [...new Set(params.keys())].sort().reduce(
    (acc, k) =>
      acc +
      params
        .getAll(k)
        .map((v) => k + v)
        .join(''),
    url,
  );
  const expected = Buffer.from(createHmac('sha1', authToken).update(data, 'utf8').digest('base64'));
  const got = Buffer.from(String(signature ?? ''));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The tiny app: one route, checks the signature for its own URL, answers TwiML. */
async function startApp(authToken) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = `http://${req.headers.host}${req.url}`;
      const valid = twilioSignatureValid(authToken, url, body, req.headers['x-twilio-signature']);
      const form = new URLSearchParams(body);
      seen.push({ valid, from: form.get('From'), body: form.get('Body') });
      console.log(
        `  [app] ${req.method} ${req.url} from ${form.get('From')}: ${JSON.stringify(form.get('Body'))}, X-Twilio-Signature ${valid ? 'valid' : 'INVALID'} for ${url}`,
      );
      if (!valid) return res.writeHead(403, { 'content-type': 'text/plain' }).end('bad signature');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<Response><Message>${REPLY}</Message></Response>`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, url: `http://127.0.0.1:${server.address().port}/sms` };
}

/** Resolves with the first stdout line of a child, parsed as JSON. */
function firstJsonLine(child) {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready`)));
  });
}

/** Echoes a child's stderr and resolves once a line matches `ready`. */
function waitForLine(child, ready) {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      if (ready.test(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready`)));
  });
}

/** The sandbox's auto-reply to `to`, if it sends one within a short wait (it may not act on TwiML yet). */
async function autoReply(origin, from, to) {
  for (let i = 0; i < 10; i++) {
    const { messages } = await (await fetch(`${origin}/_sandbox/messages`)).json();
    const reply = messages.find((m) => m.from === from && m.to === to && m.body === REPLY);
    if (reply) return reply;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

function fail(err) {
  console.error(`demo:forward: ${err.message}`);
  cleanup(1);
}

let cleaned = false;
function cleanup(code) {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(configDir, { recursive: true, force: true });
  process.exitCode = code;
  // The app's server and the children are gone or going: nothing keeps the process alive.
  app?.server.closeAllConnections();
  app?.server.close();
}

let app;
try {
  // 1. The sandbox.
  say('$ mms sandbox --port 0 --json   (in the background)');
  const sandbox = mms(['sandbox', '--port', '0', '--json', '--step-delay', '20'], { stdout: 'pipe' });
  const ready = await firstJsonLine(sandbox);
  const tw = ready.providers.twilio;
  const inbox = tw.numbers.find((n) => n !== tw.defaultFrom);
  console.log(`sandbox at ${ready.origin}; Twilio API at ${tw.baseUrl}`);
  env = {
    ...env,
    TWILIO_ACCOUNT_SID: tw.credentials.accountSid,
    TWILIO_AUTH_TOKEN: tw.credentials.authToken,
    MMS_TWILIO_BASE_URL: tw.baseUrl,
    MMS_FROM: tw.defaultFrom,
  };

  // 2. The app.
  app = await startApp(tw.credentials.authToken);
  say(`A tiny app on ${app.url}: checks X-Twilio-Signature for its own URL, answers <Response><Message>${REPLY}</Message></Response>`);

  // 3. The listener in front of it.
  const listenArgs = ['listen', '--number', inbox, '--forward-to', app.url, '--count', '1', '--timeout', '20'];
  say(`$ mms ${listenArgs.map(quote).join(' ')}   (in the background)`);
  const listener = mms(listenArgs, { stderr: 'pipe' });
  await waitForLine(listener, /^Press Ctrl\+C|^Listening/);

  // 4. One inbound message through the sandbox.
  const sendArgs = ['send', '--to', inbox, '--body', 'Hi! Is my order ready?'];
  say(`$ mms ${sendArgs.map(quote).join(' ')}   (the sandbox delivers it to ${inbox}'s webhook)`);
  if ((await exited(mms(sendArgs))) !== 0) throw new Error('mms send failed');
  const listenCode = await exited(listener);
  if (listenCode !== 0) throw new Error(`mms listen exited with ${listenCode}`);

  // 5. What happened.
  say('$ mms events list');
  await exited(mms(['events', 'list']));
  const reply = await autoReply(ready.origin, inbox, tw.defaultFrom);
  console.log(
    reply
      ? `\nThe sandbox acted on the app's TwiML like Twilio: it sent ${JSON.stringify(reply.body)} from ${reply.from} to ${reply.to} (${reply.id}).`
      : "\n(The sandbox did not send the TwiML auto-reply: this build's sandbox does not act on TwiML answers yet.)",
  );
  const ok = app.seen.length === 1 && app.seen[0].valid;
  say(ok ? 'The app got the inbound message, re-signed for its own URL, and its TwiML answer went back to the sandbox.' : 'Something did not complete.');
  cleanup(ok ? 0 : 1);
} catch (err) {
  fail(err);
}
