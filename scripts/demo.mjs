// `pnpm demo`: builds the packages (the app imports them built), then runs the showcase
// (examples/dashboard) on http://localhost:3000 (PORT) in this same process through tsx. One
// process, started by the package manager's shell with `exec`: Ctrl-C reaches the app itself,
// which closes and exits 0, and no shell or nested package manager reports the signal as a failure.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

await import('./build.mjs');

const dashboard = join(import.meta.dirname, '..', 'examples', 'dashboard');
// tsx is the example's dev dependency. Its ESM API, found through its exports map (Node 20
// cannot resolve an import from another directory; the CommonJS API cannot register ESM hooks).
const tsxJson = createRequire(join(dashboard, 'package.json')).resolve('tsx/package.json');
const { exports } = JSON.parse(await readFile(tsxJson, 'utf8'));
const api = join(dirname(tsxJson), exports['./esm/api'].import.default);
const { register } = await import(pathToFileURL(api).href);
register();
process.env.PORT ??= '3000';
await import(pathToFileURL(join(dashboard, 'src', 'main.ts')).href);
