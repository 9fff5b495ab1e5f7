// What users configure through the providers' own APIs survives a restart with the same data
// directory: numbers' webhook URLs and methods, applications, messaging profiles, locations and
// callback URLs (each dialect, set the way an SDK or `mms listen` sets it), and opt-outs even after
// retention dropped the STOP. A damaged settings or record file is set aside with a warning.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startReceiver } from '../helpers/sandbox-unit.js';
import { startInProcess } from '../helpers/run-in-process.js';
import { tempConfigDir } from '../helpers/run-cli.js';
import { inject, pointTwilioNumber, sharedCredentialsFile, tempDir } from './helpers.js';

const running: Sandbox[] = [];
const dirs: Array<() => void> = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver.close());
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const c of dirs.splice(0)) c();
});

/** A data directory and a copy of the shared credentials (an RSA key pair is slow to make). */
async function place(): Promise<{ dataDir: string; credentialsFile: string }> {
  const t = tempDir();
  dirs.push(t.cleanup);
  const credentialsFile = join(t.dir, 'credentials.json');
  copyFileSync(await sharedCredentialsFile(), credentialsFile);
  return { dataDir: join(t.dir, 'data'), credentialsFile };
}

async function start(opts: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, stepDelayMs: 1, ...opts });
  running.push(sb);
  return sb;
}

async function restart(sb: Sandbox, opts: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  running.splice(running.indexOf(sb), 1);
  await sb.close();
  return start(opts);
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A request to a dialect that must answer `status`; resolves with the body text. */
async function call(sb: Sandbox, provider: string, path: string, init: RequestInit, status: number): Promise<string> {
  const res = await fetch(`${sb.baseUrl(provider)}${path}`, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? 'GET'} ${provider}${path}: ${text}`).toBe(status);
  return text;
}

/** Points one number of every dialect but Twilio at the receiver, through each provider's own API; returns the Bandwidth OAuth token used. */
async function configureOthers(sb: Sandbox): Promise<string> {
  const c = (p: string) => sb.info().providers[p]!.credentials;
  const jsonInit = (method: string, authorization: string, body: unknown): RequestInit => ({
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const tx = `Bearer ${c('telnyx').apiKey!}`;
  const profile = JSON.parse(
    await call(
      sb,
      'telnyx',
      '/v2/messaging_profiles',
      jsonInit('POST', tx, { name: 'mine', whitelisted_destinations: ['US'], webhook_url: receiver.url('/telnyx') }),
      200,
    ),
  ) as { data: { id: string } };
  const tn = JSON.parse(
    await call(sb, 'telnyx', '/v2/phone_numbers/messaging?filter[phone_number]=%2B15557770011', { headers: { authorization: tx } }, 200),
  ) as {
    data: Array<{ id: string }>;
  };
  await call(sb, 'telnyx', `/v2/phone_numbers/${tn.data[0]!.id}/messaging`, jsonInit('PATCH', tx, { messaging_profile_id: profile.data.id }), 200);

  const pl = c('plivo');
  const pAuth = basic(pl.authId!, pl.authToken!);
  const app = JSON.parse(
    await call(sb, 'plivo', `/v1/Account/${pl.authId!}/Application/`, jsonInit('POST', pAuth, { app_name: 'mine', message_url: receiver.url('/plivo') }), 201),
  ) as { app_id: string };
  await call(sb, 'plivo', `/v1/Account/${pl.authId!}/Number/15557770021/`, jsonInit('POST', pAuth, { app_id: app.app_id }), 202);

  const vo = c('vonage');
  const caps = { messages: { version: 'v1', webhooks: { inbound_url: { address: receiver.url('/vonage'), http_method: 'POST' } } } };
  await call(
    sb,
    'vonage',
    `/v2/applications/${vo.applicationId!}`,
    jsonInit('PUT', basic(vo.apiKey!, vo.apiSecret!), { name: 'mms sandbox', capabilities: caps }),
    200,
  );

  const si = c('sinch');
  await call(
    sb,
    'sinch',
    `/dashboard/service-plans/${si.servicePlanId!}/callback-url`,
    jsonInit('PUT', `Bearer ${si.apiToken!}`, { url: receiver.url('/sinch') }),
    200,
  );

  return configureBandwidth(sb);
}

/** A new Bandwidth application whose InboundCallbackUrl is the receiver, assigned to the location of +15557770041; returns the OAuth token used. */
async function configureBandwidth(sb: Sandbox): Promise<string> {
  const bw = sb.info().providers.bandwidth!.credentials;
  const token = JSON.parse(
    await call(
      sb,
      'bandwidth',
      '/api/v1/oauth2/token',
      {
        method: 'POST',
        headers: { authorization: basic(bw.clientId!, bw.clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      },
      200,
    ),
  ) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/xml' };
  const appXml = `<Application><ServiceType>Messaging-V2</ServiceType><AppName>mine</AppName><InboundCallbackUrl>${receiver.url('/bandwidth')}</InboundCallbackUrl></Application>`;
  const created = await call(sb, 'bandwidth', `/api/accounts/${bw.accountId!}/applications`, { method: 'POST', headers, body: appXml }, 201);
  const appId = /<ApplicationId>([^<]+)</.exec(created)![1]!;
  const site = /<Id>([^<]+)</.exec(await call(sb, 'bandwidth', '/api/tns/5557770041/sites', { headers }, 200))![1]!;
  const peer = /<Id>([^<]+)</.exec(await call(sb, 'bandwidth', '/api/tns/5557770041/sippeers', { headers }, 200))![1]!;
  const settings = `<ApplicationsSettings><HttpMessagingV2AppId>${appId}</HttpMessagingV2AppId></ApplicationsSettings>`;
  const path = `/api/accounts/${bw.accountId!}/sites/${site}/sippeers/${peer}/products/messaging/applicationSettings`;
  await call(sb, 'bandwidth', path, { method: 'PUT', headers, body: settings }, 200);
  return token.access_token;
}

/** Injects a message to `to` and returns the URLs its inbound webhook went to (with status 200). */
async function deliveredTo(sb: Sandbox, to: string): Promise<string[]> {
  const r = await inject(sb, { to, from: '+15551234567', body: 'after restart' });
  expect(r.status).toBe(201);
  return (r.body.webhooks as Array<{ url: string; status?: number }>).filter((w) => w.status === 200).map((w) => w.url);
}

describe('settings made through the providers’ APIs', () => {
  it('survive a restart with the same data directory, in every dialect (settings.json 0600)', async () => {
    const place1 = await place();
    const sb = await start(place1);
    await pointTwilioNumber(sb, '+15557770001', receiver.url('/twilio'));
    const bandwidthToken = await configureOthers(sb);
    const again = await restart(sb, place1);
    expect(statSync(join(place1.dataDir, 'settings.json')).mode & 0o777).toBe(0o600);
    const cases: Array<[string, string]> = [
      ['+15557770001', '/twilio'],
      ['+15557770011', '/telnyx'],
      ['+15557770021', '/plivo'],
      ['+15557770031', '/vonage'],
      ['+15557770041', '/bandwidth'],
      ['+15557770051', '/sinch'],
    ];
    for (const [to, path] of cases) expect(await deliveredTo(again, to), to).toEqual([receiver.url(path)]);
    // A Bandwidth OAuth token issued before the restart is still good (clients cache it for an hour).
    const accountId = again.info().providers.bandwidth!.credentials.accountId!;
    await call(again, 'bandwidth', `/api/accounts/${accountId}/applications`, { headers: { authorization: `Bearer ${bandwidthToken}` } }, 200);
  });

  it('keeps a Twilio number’s SID, SmsMethod and fallback through the API after a restart', async () => {
    const where = await place();
    const sb = await start(where);
    const { accountSid, authToken } = sb.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
    const headers = { authorization: basic(accountSid, authToken) };
    const base = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers`;
    const list = JSON.parse(await call(sb, 'twilio', `${base}.json?PhoneNumber=%2B15557770002`, { headers }, 200)) as {
      incoming_phone_numbers: Array<{ sid: string }>;
    };
    const sid = list.incoming_phone_numbers[0]!.sid;
    const form = new URLSearchParams({ SmsUrl: receiver.url('/get'), SmsMethod: 'GET', SmsFallbackUrl: receiver.url('/fallback') });
    const before = JSON.parse(await call(sb, 'twilio', `${base}/${sid}.json`, { method: 'POST', headers, body: form }, 200)) as Record<string, unknown>;
    const again = await restart(sb, where);
    const after = JSON.parse(await call(again, 'twilio', `${base}/${sid}.json`, { headers }, 200)) as Record<string, unknown>;
    expect(after).toMatchObject({ sid, sms_url: receiver.url('/get'), sms_method: 'GET', sms_fallback_url: receiver.url('/fallback') });
    expect(after.date_updated).toBe(before.date_updated);
  });

  it('are not restored for another account (after --reset-credentials): that provider starts with its defaults', async () => {
    const where = await place();
    const sb = await start(where);
    await pointTwilioNumber(sb, '+15557770001', receiver.url('/twilio'));
    await sb.close();
    running.splice(0);
    const saved = JSON.parse(readFileSync(join(where.dataDir, 'settings.json'), 'utf8')) as { providers: Record<string, { account: string }> };
    // Another account's Twilio settings in the file (what a reset leaves behind): not applied.
    saved.providers.twilio!.account = 'AC00000000000000000000000000000000';
    writeFileSync(join(where.dataDir, 'settings.json'), JSON.stringify(saved));
    const again = await start(where);
    expect(await deliveredTo(again, '+15557770001')).toEqual([]);
  });
});

describe('opt-outs', () => {
  it('outlive the STOP message that made them (pruned by retention) across a restart', async () => {
    const where = await place();
    const sb = await start({ ...where, maxMessages: 1 });
    expect((await inject(sb, { to: '+15005550006', from: '+15551230001', body: 'STOP' })).status).toBe(201);
    expect((await inject(sb, { to: '+15005550006', from: '+15551230002', body: 'later' })).status).toBe(201);
    expect(sb.store.list().map((m) => m.body)).toEqual(['later']);
    const again = await restart(sb, { ...where, maxMessages: 1 });
    const { accountSid, authToken } = again.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
    const send = (to: string) =>
      fetch(`${again.baseUrl('twilio')}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: basic(accountSid, authToken) },
        body: new URLSearchParams({ From: '+15005550006', To: to, Body: 'hi' }),
      });
    const refused = await send('+15551230001');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: number }).code).toBe(21610);
    // START after the restart opts the handset back in, and that is kept too.
    await inject(again, { to: '+15005550006', from: '+15551230001', body: 'START' });
    const third = await restart(again, { ...where, maxMessages: 1 });
    const { accountSid: a3, authToken: t3 } = third.info().providers.twilio!.credentials as { accountSid: string; authToken: string };
    expect(a3).toBe(accountSid);
    const ok = await fetch(`${third.baseUrl('twilio')}/2010-04-01/Accounts/${a3}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic(a3, t3) },
      body: new URLSearchParams({ From: '+15005550006', To: '+15551230001', Body: 'hi' }),
    });
    expect(ok.status).toBe(201);
    await ok.body?.cancel();
  });

  it('a clear from the web phone (DELETE /_sandbox/opt-outs/…) is kept across a restart; a later STOP still counts', async () => {
    const where = await place();
    const sb = await start(where);
    await inject(sb, { to: '+15005550006', from: '+15551230001', body: 'STOP' });
    const pair = `${sb.origin}/_sandbox/opt-outs/twilio/${encodeURIComponent('+15551230001')}/${encodeURIComponent('+15005550006')}`;
    const cleared = await fetch(pair, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    await cleared.body?.cancel();
    const list = async (s: Sandbox) => ((await (await fetch(`${s.origin}/_sandbox/opt-outs`)).json()) as { optOuts: unknown[] }).optOuts;
    expect(await list(sb)).toEqual([]);
    // The STOP is still in the kept record: replaying it at start-up must not undo the clear.
    const again = await restart(sb, where);
    expect(again.store.list().map((m) => m.body)).toContain('STOP');
    expect(await list(again)).toEqual([]);
    await inject(again, { to: '+15005550006', from: '+15551230001', body: 'STOP' });
    const third = await restart(again, where);
    expect(await list(third)).toHaveLength(1);
  });
});

describe('damaged files', () => {
  it('a damaged settings.json or messages.json: a warning, the file set aside, the sandbox starts with defaults', async () => {
    const where = await place();
    const sb = await start(where);
    await pointTwilioNumber(sb, '+15557770001', receiver.url('/twilio'));
    await inject(sb, { to: '+15005550006', from: '+15551234567', body: 'kept?' });
    await sb.close();
    running.splice(0);
    writeFileSync(join(where.dataDir, 'settings.json'), '{"providers": {"twilio": ');
    writeFileSync(join(where.dataDir, 'messages.json'), '{"messages": 7}');
    const warnings: string[] = [];
    const again = await start({ ...where, warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([
      expect.stringMatching(
        /messages\.json is damaged \(no "messages" list\); starting without its messages \(the damaged file is kept as .*messages\.json\.damaged\)/,
      ),
      expect.stringMatching(/settings\.json is damaged \(not valid JSON: .*\); numbers' webhook settings, applications and opt-outs start from the defaults/),
    ]);
    expect(existsSync(join(where.dataDir, 'settings.json.damaged'))).toBe(true);
    expect(readFileSync(join(where.dataDir, 'messages.json.damaged'), 'utf8')).toBe('{"messages": 7}');
    expect(again.store.size).toBe(0);
    expect(await deliveredTo(again, '+15557770001')).toEqual([]);
  });

  it('a damaged credentials.json: a warning, the file set aside, new credentials saved', async () => {
    const where = await place();
    writeFileSync(where.credentialsFile, '{"providers": [1, 2]}');
    const warnings: string[] = [];
    const sb = await start({ ...where, warn: (l) => warnings.push(l) });
    expect(sb.credentialsCreated).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/credentials\.json is damaged \(no "providers" object\); new credentials are made/)]);
    expect(readFileSync(`${where.credentialsFile}.damaged`, 'utf8')).toBe('{"providers": [1, 2]}');
    const saved = JSON.parse(readFileSync(where.credentialsFile, 'utf8')) as { providers: { twilio: { authToken: string } } };
    expect(saved.providers.twilio.authToken).toBe(sb.info().providers.twilio!.credentials.authToken);
  });

  it('a saved dialect entry of the wrong shape: a warning naming the provider, the others restored', async () => {
    const where = await place();
    const sb = await start(where);
    await pointTwilioNumber(sb, '+15557770001', receiver.url('/twilio'));
    await sb.close();
    running.splice(0);
    const file = join(where.dataDir, 'settings.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { providers: Record<string, { settings: unknown }> };
    saved.providers.sinch!.settings = { callbackUrl: 42 };
    writeFileSync(file, JSON.stringify(saved));
    const warnings: string[] = [];
    const again = await start({ ...where, warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([expect.stringMatching(/^Warning: the sinch settings saved in .* are damaged \(settings\.callbackUrl is not a string\)/)]);
    expect(await deliveredTo(again, '+15557770001')).toEqual([receiver.url('/twilio')]);
  });
});

describe('mms sandbox with a damaged saved file', () => {
  it('warns on stderr, names the file and where the damaged copy went, and starts', async () => {
    const cfg = tempConfigDir();
    dirs.push(cfg.cleanup);
    const data = join(cfg.dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'settings.json'), 'not json');
    const sb = startInProcess(['sandbox', '--port', '0', '--data', data], { configDir: cfg.dir });
    await sb.waitForStderr('Press Ctrl+C to stop.');
    expect(sb.stderr()).toContain(`Warning: the sandbox file ${join(data, 'settings.json')} is damaged (not valid JSON:`);
    expect(sb.stderr()).toContain(`(the damaged file is kept as ${join(data, 'settings.json.damaged')})`);
    sb.abort();
    expect((await sb.exited()).code).toBe(0);
  });
});
