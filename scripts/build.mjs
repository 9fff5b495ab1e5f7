#!/usr/bin/env node
// Builds dist/ with tsc and leaves a stamp of what it was built from.
//
//   node scripts/build.mjs           tsc with type checking (npm run build, npm pack)
//   node scripts/build.mjs --quick   for npm test: nothing when dist/ was built from exactly these
//                                    sources, else tsc --noCheck (the same emitter and output, without
//                                    the type check: `npm run typecheck` and CI do that)
//
// The stamp is a hash of tsconfig.json, the TypeScript version and every source file's path and bytes,
// so any change (an edit, a new or deleted file, a branch switch) rebuilds; a missing output file
// rebuilds too. It lives in dist/.build-stamp, which .npmignore keeps out of the package.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const stampFile = join(root, 'dist', '.build-stamp');

/** Every .ts file under dir, sorted, as paths relative to the root. */
function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

const files = sources(join(root, 'src'));
const tscPath = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tsVersion = JSON.parse(readFileSync(join(dirname(tscPath), '..', 'package.json'), 'utf8')).version;
const hash = createHash('sha256').update(`typescript ${tsVersion}\n`).update(readFileSync(join(root, 'tsconfig.json')));
for (const f of files) hash.update(`\n${f}\n`).update(readFileSync(join(root, f)));
const stamp = hash.digest('hex');

const outputs = files.map((f) => join(root, 'dist', relative('src', f).replace(/\.ts$/, '.js')));
const upToDate = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && outputs.every((o) => existsSync(o));
if (quick && upToDate()) process.exit(0);

rmSync(stampFile, { force: true });
const args = [tscPath, '-p', join(root, 'tsconfig.json'), ...(quick ? ['--noCheck'] : [])];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(stampFile, `${stamp}\n`);
