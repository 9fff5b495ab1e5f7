import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tuned for two cores. Most of the suite's cost used to be per-file start-up (a fresh worker and
// module graph per file) and spawned binaries; the e2e files now run `mms` in-process.
//
// `isolate: false` reuses one module graph per worker across files. That is safe here because no
// test file but the two below uses module mocks or fake timers, none calls process.chdir (the
// services harness changes the working directory only around each run and puts it back), and the
// module state that outlives a test is reset: the shared HTTP dispatcher in
// src/providers/http-client.ts is closed after every file by test/helpers/close-http.setup.ts (and
// is created again on demand), the send clock in src/services/send/ports.ts and the sandbox's fault
// clock in src/sandbox/faults.ts are put back by the tests that set them.
//
// One project for all of them, not one per folder: a worker is reused only for the next file of
// the same project, and each project transforms and imports the module graph (the provider SDKs
// included) again, so per-folder projects paid for it several times over.
const MOCKED = ['test/unit/media/fit/sharp-missing.test.ts', 'test/services/send/fit-no-sharp.test.ts'];

// Transformed modules are kept on disk between runs (keyed by content, per checkout), so a run
// after the first skips most of the TypeScript transform.
const moduleCache = join(
  tmpdir(),
  `mms-vitest-modules-${createHash('sha256')
    .update(fileURLToPath(import.meta.url))
    .digest('hex')
    .slice(0, 12)}`,
);

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    setupFiles: ['test/helpers/close-http.setup.ts'],
    // Child processes, not threads: listen installs process-wide handlers while it runs, and the
    // smoke tests send signals; forks give each worker its own process object.
    pool: 'forks',
    // Three workers on two cores: measured at baseline, the cores sat idle about a third of the time
    // while workers waited on timers (sandbox latency, tmux sampling, deadlines), disk syncs and
    // child processes; a third worker fills those gaps. Its extra cost is one more module graph.
    maxWorkers: 3,
    experimental: { fsModuleCache: true, fsModuleCachePath: moduleCache },
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKED, isolate: false } },
      // These mock a module (vi.mock of sharp), so each needs a module graph of its own.
      { extends: true, test: { name: 'mocked', include: MOCKED } },
    ],
  },
});
