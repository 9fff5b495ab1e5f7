// gh conventions: clean defaults in help, did-you-mean for values, `mms help environment`, and a
// --version that says where it runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Option } from 'commander';
import { describeOption, formatDefault } from '../../../src/commands/flags.js';
import { environmentVariables } from '../../../src/commands/help.js';
import { closestMatch, didYouMean, editDistance } from '../../../src/errors/did-you-mean.js';
import { versionLine } from '../../../src/output/version.js';
import { tempConfigDir } from '../../helpers/run-cli.js';
import { runInProcess } from '../../helpers/run-in-process.js';

const cfg = tempConfigDir();
afterAll(() => cfg.cleanup());

describe('defaults in help', () => {
  it.each([
    [[], undefined],
    [false, undefined],
    ['', undefined],
    ['4', '4'],
    [4, '4'],
    ['127.0.0.1', '127.0.0.1'],
    ['two words', '"two words"'],
    [['a', 'b'], 'a, b'],
  ])('%j → %j', (value, shown) => {
    expect(formatDefault(value)).toBe(shown);
  });

  it('describes choices, defaults and env vars without JSON quoting; boolean flags show no default', () => {
    expect(describeOption(new Option('--concurrency <n>', 'requests at once').default('4'))).toBe('requests at once (default: 4)');
    expect(describeOption(new Option('--to <n>', 'recipient').default([]))).toBe('recipient');
    expect(describeOption(new Option('--dry-run', 'plan only').default(false))).toBe('plan only');
    expect(describeOption(new Option('--tunnel [b]', 'how').choices(['auto', 'ngrok']).env('MMS_T'))).toBe('how (choices: auto, ngrok; env: MMS_T)');
  });

  it.each([['send'], ['sandbox'], ['listen']])('`mms %s --help` has no JSON-looking default', async (name) => {
    const r = await runInProcess([name, '--help'], { configDir: cfg.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/default: (\[\]|"|false)/);
    expect(r.stdout).not.toMatch(/choices: "/);
  });

  it('`mms send --help` prints the concurrency default as a number', async () => {
    const r = await runInProcess(['send', '--help'], { configDir: cfg.dir });
    expect(r.stdout).toMatch(/requests in flight at once \(default: 4\)/);
  });
});

describe('did you mean', () => {
  it('measures typos, swaps included', () => {
    expect(editDistance('twilio', 'twilio')).toBe(0);
    expect(editDistance('twillio', 'twilio')).toBe(1);
    expect(editDistance('tiwlio', 'twilio')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close candidates', () => {
    expect(closestMatch('twillio', ['twilio', 'telnyx'])).toBe('twilio');
    expect(closestMatch('TELNIX', ['twilio', 'telnyx'])).toBe('telnyx');
    expect(closestMatch('stagin', ['staging', 'prod'])).toBe('staging');
    expect(closestMatch('zzz', ['twilio', 'telnyx'])).toBeUndefined();
    expect(didYouMean('bandwith', ['bandwidth'])).toBe('Did you mean "bandwidth"? ');
    expect(didYouMean('nothing-like', ['bandwidth'])).toBe('');
  });

  it('--provider with a typo: exit 2 and the closest provider in the suggestion', async () => {
    const r = await runInProcess(['status', 'SM1', '--provider', 'twillio', '--json'], { configDir: cfg.dir });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout);
    expect(error.code).toBe('PROVIDER_UNKNOWN');
    expect(error.suggestion).toMatch(/^Did you mean "twilio"\? /);
  });

  it('--profile with a typo: the closest stored profile in the suggestion', async () => {
    const { openStore } = await import('../../../src/config/store.js');
    const store = openStore({ MMS_CONFIG_DIR: cfg.dir });
    const c = store.readConfig();
    c.profiles.staging = { provider: 'twilio', fields: {} };
    await store.writeConfig(c);
    const r = await runInProcess(['status', 'SM1', '--profile', 'stagign'], { configDir: cfg.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean "staging"?');
  });

  it('an unknown help topic suggests the close one', async () => {
    const r = await runInProcess(['help', 'enviroment'], { configDir: cfg.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean "environment"?');
  });
});

describe('mms help environment', () => {
  it('lists every provider credential variable and base URL, from the descriptors', async () => {
    const r = await runInProcess(['help', 'environment'], { configDir: cfg.dir });
    expect(r.code).toBe(0);
    for (const name of ['MMS_PROFILE', 'MMS_FROM', 'MMS_CONFIG_DIR', 'NO_COLOR', 'TWILIO_ACCOUNT_SID', 'PLIVO_AUTH_ID', 'MMS_SINCH_BASE_URL']) {
      expect(r.stdout).toContain(name);
    }
    const doc = JSON.parse((await runInProcess(['help', 'environment', '--json'], { configDir: cfg.dir })).stdout);
    expect(doc.environment[0]).toEqual({ name: 'MMS_PROFILE', description: expect.any(String), provider: null });
  });

  it('names every variable the source reads as env.NAME (PATH lookups aside)', async () => {
    const listed = new Set((await environmentVariables()).flatMap((v) => v.name.split(', ')));
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
      }
    };
    walk(new URL('../../../src', import.meta.url).pathname);
    for (const name of ['PATH', 'PATHEXT']) read.delete(name);
    expect([...read].filter((n) => !listed.has(n))).toEqual([]);
  });
});

describe('--version', () => {
  it('says the version, the Node version and the platform', () => {
    expect(versionLine('0.1.0')).toBe(`mms 0.1.0 (node ${process.version}, ${process.platform}-${process.arch})`);
  });

  it('through commander too (with other flags)', async () => {
    const r = await runInProcess(['--version', '--json'], { configDir: cfg.dir });
    expect(r.stdout).toMatch(/^mms \d+\.\d+\.\d+ \(node v\d+\.\d+\.\d+, \w+-\w+\)\n$/);
  });
});
