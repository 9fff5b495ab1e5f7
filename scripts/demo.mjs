#!/usr/bin/env node
// `npm run demo`: the whole round trip against `mms sandbox`, with no account and no internet.
// 1. start the sandbox (a local emulator of Twilio's API and the others) on a free loopback port
// 2. `mms login` with the sandbox's credentials (checked by a real API call)
// 3. `mms listen --number <a sandbox number> --count 1`: points that number's inbound webhook at a
//    local, signature-checked listener (and restores it afterwards)
// 4. `mms send` a local photo to that number: mms serves the file, the sandbox fetches it like
//    Twilio does, delivers the MMS and posts it back, signed, to the listener, which prints it
// 5. show the sandbox's record of the message
// Everything lives in a temporary config directory: your own ~/.config/mmscli is not touched.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mms.js');
const photo = join('scripts', 'assets', 'chart.png');
const configDir = mkdtempSync(join(tmpdir(), 'mms-demo-'));
const env = { ...process.env, MMS_CONFIG_DIR: configDir };
const bold = process.stdout.isTTY && !process.env.NO_COLOR;
const say = (s) => process.stdout.write(bold ? `\n\x1b[1m${s}\x1b[0m\n` : `\n${s}\n`);
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function start(args, note = '') {
  say(`$ mms ${args.map(quote).join(' ')}${note}`);
  return spawn(process.execPath, [bin, ...args], { env, cwd: root, stdio: ['pipe', 'inherit', 'inherit'] });
}
function run(args, input) {
  const child = start(args);
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}
function firstLine(child) {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready`)));
  });
}

// 1. The sandbox.
say('$ mms sandbox --port 0 --json   (in the background)');
const sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', '--step-delay', '100'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const ready = await firstLine(sandbox);
const tw = ready.providers.twilio;
console.log(`sandbox at ${ready.origin}; Twilio API at ${tw.baseUrl}; its numbers: ${tw.numbers.join(', ')}`);
const inbox = tw.numbers.find((n) => n !== tw.defaultFrom);

let exitCode = 0;
let listener;
try {
  // 2. Log in (the secret goes through stdin, never a flag).
  exitCode = await run(['login', '--provider', 'twilio', '--account-sid', tw.credentials.accountSid, '--auth-token-stdin', '--base-url', tw.baseUrl, '--from', tw.defaultFrom], tw.credentials.authToken);
  if (exitCode !== 0) throw new Error('login failed');

  // 3. Listen on one of the sandbox's numbers (human output; the provider is local, so no tunnel).
  listener = spawn(process.execPath, [bin, 'listen', '--number', inbox, '--count', '1', '--timeout', '60'], { env, cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  say(`$ mms listen --number ${inbox} --count 1 --timeout 60   (in the background)`);
  await new Promise((resolve, reject) => {
    const rl = createInterface({ input: listener.stderr });
    rl.on('line', (line) => {
      process.stderr.write(`${line}\n`);
      if (/^Listening|Inbound webhook|listening/i.test(line)) resolve();
    });
    listener.once('exit', (code) => reject(new Error(`the listener exited (${code})`)));
  });
  const listenerDone = new Promise((resolve) => listener.once('exit', (code) => resolve(code)));

  // 4. Send a local photo to that number.
  exitCode = await run(['send', '--to', inbox, '--media', photo, '--body', 'Nightly chart']);
  if (exitCode !== 0) throw new Error('send failed');
  const listenCode = await listenerDone;
  if (listenCode !== 0) throw new Error(`the listener exited with ${listenCode}`);

  // 5. The sandbox's record.
  say(`$ curl ${ready.origin}/_sandbox/messages`);
  const messages = (await (await fetch(`${ready.origin}/_sandbox/messages`)).json()).messages;
  const summary = messages.map((m) => ({ id: m.id, direction: m.direction, from: m.from, to: m.to, body: m.body, status: m.status, media: m.media.map((x) => ({ status: x.status, contentType: x.contentType, size: x.size })) }));
  console.log(JSON.stringify(summary, null, 2));
  const out = messages.find((m) => m.direction === 'outbound');
  if (out?.status !== 'delivered' || out.media[0]?.status !== 'fetched') exitCode = 1;
  say(exitCode === 0 ? 'The sandbox fetched the local photo from mms, delivered the MMS, and mms listen received it back.' : 'Something did not complete.');
} catch (err) {
  console.error(`demo: ${err.message}`);
  exitCode ||= 1;
} finally {
  listener?.kill('SIGTERM');
  sandbox.kill('SIGTERM');
  rmSync(configDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
