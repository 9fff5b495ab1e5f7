import { defineConfig } from 'vitest/config';

// Tuned for two cores. Most of the suite's cost used to be per-file start-up (a fresh worker and
// module graph per file) and spawned binaries; the e2e files now run `mms` in-process.
//
// `isolate: false` reuses one module graph per worker across files. That is safe here because the
// unit and e2e files use no module mocks, fake timers or process.chdir, and the one piece of
// module state that outlives a run, the shared HTTP dispatcher in src/providers/http-client.ts,
// is closed after every file by test/helpers/close-http.setup.ts and is created again on demand.
// The conformance, property, mock, trust and contract files qualify too (checked the same way:
// they start in-process servers and child processes and close them; the trust tests' send clock,
// module state in src/services/send/ports.ts, is reset after each test); sharing the graph loads
// the provider SDKs once per worker. The services harness changes the working directory only
// around each run and puts it back. Folders not listed (tty) keep the default per-file isolation:
// tty spies on streams.
const SHARED = [
  'test/conformance/**/*.test.ts',
  'test/property/**/*.test.ts',
  'test/mocks/**/*.test.ts',
  'test/trust/**/*.test.ts',
  'test/contract/**/*.test.ts',
  'test/services/**/*.test.ts',
];

// These mock a module (vi.mock of sharp), so each needs a module graph of its own.
const MOCKED = ['test/unit/media/fit/sharp-missing.test.ts', 'test/services/send/fit-no-sharp.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    setupFiles: ['test/helpers/close-http.setup.ts'],
    // Child processes, not threads: listen installs process-wide handlers while it runs, and the
    // smoke tests send signals; forks give each worker its own process object.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: MOCKED, isolate: false } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'shared', include: SHARED, exclude: MOCKED, isolate: false } },
      {
        extends: true,
        test: { name: 'other', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', 'test/e2e/**', ...SHARED] },
      },
      { extends: true, test: { name: 'mocked', include: MOCKED } },
    ],
  },
});
