import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/run-in-process.js';
import { tempConfigDir } from '../../helpers/run-cli.js';

describe('help', () => {
  const cfg = tempConfigDir();
  afterAll(() => cfg.cleanup());
  it('every command lists the global flags and words the help flag the same way', async () => {
    for (const args of [
      ['logout', '--help'],
      ['send', '--help'],
      ['config', 'set', '--help'],
    ]) {
      const r = await runInProcess(args, { configDir: cfg.dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Global Options:');
      expect(r.stdout).toMatch(/--profile <name>/);
      expect(r.stdout).toMatch(/-h, --help\s+show help/);
      expect(r.stdout).not.toContain('display help for command');
    }
  });
});
