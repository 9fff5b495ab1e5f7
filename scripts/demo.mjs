#!/usr/bin/env node
// `npm run demo`: the whole flow against `mms sandbox`, with no account and no internet.
// 1. start the sandbox (a local emulator of Twilio's API) on a free loopback port
// 2. `mms login` with the sandbox's credentials (checked by a real API call)
// 3. `mms send` an MMS with an image, served from a loopback URL the sandbox fetches
// 4. print the result and the sandbox's record of the message (media fetched, delivered)
// Everything lives in a temporary config directory: your own ~/.config/mmscli is not touched.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'mms.js');
const configDir = mkdtempSync(join(tmpdir(), 'mms-demo-'));
const env = { ...process.env, MMS_CONFIG_DIR: configDir };
const bold = process.stdout.isTTY && !process.env.NO_COLOR;
const say = (s) => process.stdout.write(bold ? `\n\x1b[1m${s}\x1b[0m\n` : `\n${s}\n`);
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function run(args, input) {
  say(`$ mms ${args.map(quote).join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve(code));
  });
}

// 1. The sandbox.
say('$ mms sandbox --port 0 --json   (in the background)');
const sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json', '--step-delay', '100'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const ready = await new Promise((resolve, reject) => {
  createInterface({ input: sandbox.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  sandbox.once('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
});
const tw = ready.providers.twilio;
console.log(`sandbox at ${ready.origin}; Twilio API at ${tw.baseUrl}`);

// The image: served on loopback, fetched by the sandbox exactly as Twilio fetches a MediaUrl.
const image = readFileSync(join(root, 'scripts', 'assets', 'chart.png'));
const media = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
  res.end(req.method === 'HEAD' ? undefined : image);
});
await new Promise((r) => media.listen(0, '127.0.0.1', r));
const imageUrl = `http://127.0.0.1:${media.address().port}/chart.png`;

let exitCode = 0;
try {
  // 2. Log in (the secret goes through stdin, never a flag).
  exitCode = await run(['login', '--provider', 'twilio', '--account-sid', tw.credentials.accountSid, '--auth-token-stdin', '--base-url', tw.baseUrl, '--from', tw.defaultFrom], tw.credentials.authToken);
  if (exitCode !== 0) throw new Error('login failed');
  await run(['whoami']);

  // 3. Send.
  exitCode = await run(['send', '--to', '+15551234567', '--media', imageUrl, '--body', 'Nightly chart']);
  if (exitCode !== 0) throw new Error('send failed');

  // 4. The sandbox's record, once the simulated delivery has finished.
  say(`$ curl ${ready.origin}/_sandbox/messages`);
  let record;
  for (let i = 0; i < 50; i++) {
    record = (await (await fetch(`${ready.origin}/_sandbox/messages`)).json()).messages.at(-1);
    if (record && ['delivered', 'failed'].includes(record.status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify(record, null, 2));
  if (record?.status !== 'delivered') exitCode = 1;
  say(record?.status === 'delivered' ? 'The sandbox fetched the image and delivered the MMS.' : 'The message did not reach "delivered".');
} catch (err) {
  console.error(`demo: ${err.message}`);
  exitCode ||= 1;
} finally {
  sandbox.kill('SIGTERM');
  media.close();
  rmSync(configDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
