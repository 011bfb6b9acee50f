import { copyFileSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { build } from 'tsdown';
import { WORKSPACE_ROOT } from './bundle';
import { requireRuntimeBinary } from './launch';
import { startServerProcess, type ServerProcess } from './server-process';

const require = createRequire(import.meta.url);

/**
 * Builds `@sse/<name>` for each name (ESM, no type declarations: what a runtime loads) into
 * `dir/node_modules/@sse/<name>`, beside its package.json, as an install from npm lays it out.
 */
async function installWorkspacePackages(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const source = join(WORKSPACE_ROOT, 'packages', name);
    const target = join(dir, 'node_modules', '@sse', name);
    mkdirSync(target, { recursive: true });
    copyFileSync(join(source, 'package.json'), join(target, 'package.json'));
    await build({
      cwd: source,
      outDir: join(target, 'dist'),
      format: ['esm'],
      dts: false,
      logLevel: 'warn',
      report: false,
    });
  }
}

/** The package directory of `hono` (which exports no ./package.json to resolve). */
function honoRoot(): string {
  const entry = realpathSync(require.resolve('hono'));
  const marker = `${sep}node_modules${sep}hono${sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
}

/**
 * Starts `script` (TypeScript, which imports `npm:@sse/core`, `npm:@sse/hono`, `npm:hono`)
 * with Deno in a temp app whose `node_modules` holds those packages, built from this
 * workspace. The script prints `listening on PORT`.
 */
export async function startDenoNpmApp(script: string): Promise<ServerProcess> {
  const deno = requireRuntimeBinary('deno');
  const dir = await mkdtemp(join(tmpdir(), 'sse-deno-npm-'));
  await installWorkspacePackages(dir, ['core', 'hono']);
  symlinkSync(honoRoot(), join(dir, 'node_modules', 'hono'));
  // With a package.json, Deno resolves npm: specifiers from the local node_modules.
  const dependencies = { '@sse/core': '*', '@sse/hono': '*', hono: '*' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies }));
  writeFileSync(join(dir, 'server.ts'), script);
  return startServerProcess({
    name: 'deno (npm: specifiers)',
    command: deno,
    args: ['run', '--allow-net', '--allow-read', '--allow-env', 'server.ts'],
    dir,
    portFrom: 'stdout',
  });
}
