// Builds every published package with tsdown's API in one process, one line per package.
// The tsdown CLI prints a Node 20 deprecation notice on every start (tsdown 0.21 still supports
// Node 20; the notice is only in its CLI entry), and its size report is noise here.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { build } from 'tsdown';

const root = join(import.meta.dirname, '..', 'packages');

async function hasConfig(dir) {
  return stat(join(dir, 'tsdown.config.ts')).then(
    () => true,
    () => false,
  );
}

async function buildPackage(name) {
  const started = performance.now();
  await build({ cwd: join(root, name), logLevel: 'warn', report: false });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`built packages/${name} in ${ms} ms\n`);
}

const names = [];
for (const name of (await readdir(root)).sort()) {
  if (await hasConfig(join(root, name))) names.push(name);
}
// Adapters' type declarations import @sse/core's: build core first.
if (names.includes('core')) await buildPackage('core');
for (const name of names) if (name !== 'core') await buildPackage(name);
