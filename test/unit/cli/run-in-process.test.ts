import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/run-in-process.js';
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
});
