#!/usr/bin/env node
// `mms --version` is answered here, before the CLI's modules load: scripts call it to check the install.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const [{ versionLine }, { createRequire }] = await Promise.all([import('../dist/output/version.js'), import('node:module')]);
  // `mms --version | true`: a reader gone before the write is not an error worth a stack trace.
  process.stdout.on('error', () => undefined);
  process.stdout.write(`${versionLine(createRequire(import.meta.url)('../package.json').version)}\n`);
} else {
  const { main } = await import('../dist/cli.js');
  await main(process.argv);
}
