// End to end: the built `mms` binary against a sandbox on 127.0.0.1, for what only a real process
// shows (a stdin pipe, no TTY, start to exit). Everything else about `mms send` runs in-process in
// test/services/send/; so does the first case here (its exit code and output are the same
// in-process, and smoke.test.ts sends an image URL with the built binary).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { spawnCli } from '../helpers/spawn-cli.js';
import { startMediaServer, PNG_1X1, type MediaServer } from '../helpers/media-server.js';
import { useSendHarness } from '../services/send/harness.js';

const h = useSendHarness();
let media: MediaServer;

beforeAll(async () => {
  media = await startMediaServer();
  media.add('/chart.png', PNG_1X1, 'image/png');
});
afterAll(async () => {
  await media?.close();
});

describe('mms send', () => {
  it('sends an MMS with an image URL: JSON on stdout, the summary on stderr, exit 0', async () => {
    const r = await h.run(['send', '--to', '+15551234567', '--media', media.url('/chart.png'), '--body', 'Nightly chart', '--json']);
    expect(r.stderr).toMatch(/^1 of 1 accepted via twilio in \d+\.\d s\.\n$/);
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).results[0].id as string;
    const rec = await h.waitFor(id, (m) => m.status === 'delivered');
    expect(rec).toMatchObject({ to: '+15551234567', body: 'Nightly chart' });
    expect(rec.media[0]).toMatchObject({ status: 'fetched', contentType: 'image/png', size: PNG_1X1.length });
  });

  it('reads the body from a stdin pipe with --body -', async () => {
    const r = await runCli(['send', '--to', '+15551234567', '--body', '-', '--json'], { configDir: h.cfg.dir, env: h.env, input: 'from stdin\n' });
    expect(r.code).toBe(0);
    expect(h.messages()[0]!.body).toBe('from stdin');
  });

  it('exits 2 at once when --to is missing and there is no TTY', async () => {
    // stdin is a pipe that stays open: an mms that waited for a recipient there (or for a prompt
    // answer) would never exit, and the test would time out instead.
    const child = spawnCli(['send', '--body', 'hi'], { configDir: h.cfg.dir, env: h.env, stdin: 'pipe' });
    const { code } = await child.exited();
    expect(child.child.stdin!.writableEnded).toBe(false);
    expect(code).toBe(2);
    expect(child.stderr()).toContain('--to is required when not running interactively');
  });
});
