import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess, startInProcess } from '../../helpers/run-in-process.js';
import { tempConfigDir } from '../../helpers/run-cli.js';

describe('run() in-process', () => {
  const cfg = tempConfigDir();
  afterAll(() => cfg.cleanup());

  it('returns the exit code and the printed output of a command', async () => {
    const ok = await runInProcess(['config', 'path'], { configDir: cfg.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(cfg.dir);
  });

  it('reports usage errors with exit 2 on stderr, and JSON errors on stdout with --json', async () => {
    const bad = await runInProcess(['send', '--bogus'], { configDir: cfg.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option/i);
    const json = await runInProcess(['send', '--bogus', '--json'], { configDir: cfg.dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('UNKNOWN_OPTION');
  });

  it('starts a long-running command, waits for its JSON line, and stops it like Ctrl+C', async () => {
    const sb = startInProcess(['sandbox', '--port', '0', '--json'], { configDir: cfg.dir });
    const ready = await sb.waitForJson<{ origin: string }>((o) => typeof o.origin === 'string');
    const info = await fetch(`${ready.origin}/_sandbox/info`);
    expect(info.status).toBe(200);
    await info.body?.cancel();
    expect(sb.done()).toBe(false);
    sb.abort();
    expect((await sb.exited()).code).toBe(0);
  });

  it('fails a wait at once when the command returns without printing what was awaited', async () => {
    const r = startInProcess(['config', 'path'], { configDir: cfg.dir });
    await expect(r.waitForJson(() => true, 10_000)).rejects.toThrow(/returned before the expected JSON line/);
    await expect(r.waitForStderr('never printed', 10_000)).rejects.toThrow(/returned before "never printed" on stderr/);
    expect((await r.exited()).code).toBe(0);
  });
});
