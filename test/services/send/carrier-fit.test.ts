// Carrier realism end to end: `mms send` (in-process CLI) against the sandbox (in-process), whose
// Twilio dialect enforces the destination carrier's MMS size limit after acceptance (30019), the
// STOP opt-out at create time (21610) and the unregistered 10DLC magic sender (30034). The photo is
// generated at run time with sharp; `--fit` must bring it under AT&T's 1 MB long-code limit.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startLocalSandbox, type LocalSandbox } from '../../helpers/sandbox-in-process.js';
import { runInProcess } from '../../helpers/run-in-process.js';
import { tempConfigDir } from '../../helpers/run-cli.js';

// Last digit 2: an AT&T handset in the sandbox's carrier rule (0–3 AT&T, 4–6 T-Mobile, 7–9 Verizon).
const ATT_HANDSET = '+15551230002';

let sb: LocalSandbox;
let cfg: { dir: string; cleanup: () => void };
let work: string;
let env: Record<string, string>;

/** `mms <args>` in-process with `work` as the cwd (local media paths are relative to it). */
async function mms(args: string[]) {
  const before = process.cwd();
  process.chdir(work);
  try {
    return await runInProcess(args, { configDir: cfg.dir, env });
  } finally {
    process.chdir(before);
  }
}

beforeAll(async () => {
  sb = await startLocalSandbox();
  cfg = tempConfigDir();
  work = mkdtempSync(join(tmpdir(), 'mms-carrier-'));
  mkdirSync(work, { recursive: true });
  env = {
    TWILIO_ACCOUNT_SID: sb.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sb.twilio.authToken,
    MMS_TWILIO_BASE_URL: sb.twilio.baseUrl,
    MMS_FROM: sb.twilio.defaultFrom,
  };
  // Noise does not compress: a 1200×1200 JPEG at quality 95 is well over 1 MB.
  const noise = Buffer.alloc(1200 * 1200 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(noise, { raw: { width: 1200, height: 1200, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  writeFileSync(join(work, 'photo.jpg'), jpeg);
});

afterAll(async () => {
  await sb?.stop();
  cfg?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('carrier size limits through `mms send --wait`', () => {
  it('an oversized photo to an AT&T handset from a long code is undelivered with 30019 without --fit, and delivered with --fit', async () => {
    const size = statSync(join(work, 'photo.jpg')).size;
    expect(size).toBeGreaterThan(1_000_000);

    const bare = await mms(['send', '--to', ATT_HANDSET, '--media', 'photo.jpg', '--wait', '--json']);
    const bareOut = JSON.parse(bare.stdout) as { results: Array<{ id: string; status: string; delivery?: { status: string; errorCode?: unknown } }> };
    // Accepted by the provider, then refused by the carrier: exit 6 and the code in the delivery.
    expect(bare.code).toBe(6);
    expect(bareOut.results[0]).toMatchObject({ status: 'accepted', delivery: { status: 'undelivered', errorCode: 30019 } });
    const failed = await sb.waitFor(bareOut.results[0]!.id, (m) => m.status === 'undelivered');
    expect(failed).toMatchObject({ errorCode: 30019, errorMessage: 'Content size exceeds carrier limit' });
    expect(failed.media[0]!.size).toBe(size);

    const fit = await mms(['send', '--to', ATT_HANDSET, '--media', 'photo.jpg', '--fit', '--wait', '--json']);
    expect(fit.code).toBe(0);
    const fitOut = JSON.parse(fit.stdout) as { results: Array<{ id: string }> };
    const delivered = await sb.message(fitOut.results[0]!.id);
    expect(delivered.status).toBe('delivered');
    expect(delivered.media[0]!.size).toBeLessThanOrEqual(1_000_000);
  });
});

describe('opt-out and the unregistered sender through `mms send`', () => {
  it('a handset that texted STOP gets 21610 at create time until it texts START', async () => {
    const [a, b] = ['+15557770001', '+15557770002'];
    // A texts STOP to B (a sandbox-to-sandbox round trip stores it as B's inbound message from A).
    expect((await mms(['send', '--from', a, '--to', b, '--body', 'STOP', '--wait', '--json'])).code).toBe(0);
    const refused = await mms(['send', '--from', b, '--to', a, '--body', 'hello again', '--json']);
    expect(refused.code).toBe(6);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      results: [{ status: 'failed', error: { code: 'RECIPIENT_OPTED_OUT', providerCode: 21610, httpStatus: 400 } }],
    });
    // Other senders may still write to A.
    expect((await mms(['send', '--from', sb.twilio.defaultFrom, '--to', a, '--body', 'hi', '--json'])).code).toBe(0);
    expect((await mms(['send', '--from', a, '--to', b, '--body', 'start', '--wait', '--json'])).code).toBe(0);
    expect((await mms(['send', '--from', b, '--to', a, '--body', 'welcome back', '--json'])).code).toBe(0);
  });

  it('the unregistered 10DLC magic sender is accepted, then fails with 30034', async () => {
    const r = await mms(['send', '--from', '+15557770034', '--to', ATT_HANDSET, '--body', 'promo', '--wait', '--json']);
    expect(r.code).toBe(6);
    const out = JSON.parse(r.stdout) as { results: Array<{ id: string }> };
    expect(out.results[0]).toMatchObject({ status: 'accepted', delivery: { status: 'failed', errorCode: 30034 } });
    const m = await sb.waitFor(out.results[0]!.id, (x) => x.status === 'failed');
    expect(m).toMatchObject({ errorCode: 30034, errorMessage: 'Message from an Unregistered Number' });
  });
});
