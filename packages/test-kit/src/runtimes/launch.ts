import { accessSync, constants, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForRuntime } from './bundle';
import { startServerProcess, type ServerProcess } from './server-process';
import { workerdConfig } from './workerd-config';

/** The runtimes the runtime tests start, each from its npm package. */
export type RuntimeName = 'bun' | 'deno' | 'workerd';

/** A runtime serving the fixture app on 127.0.0.1. */
export interface RuntimeServer extends ServerProcess {
  name: RuntimeName;
}

const require = createRequire(import.meta.url);

// Where each npm package's install script leaves the binary.
const BINARIES: Record<RuntimeName, { pkg: string; path: string }> = {
  bun: { pkg: 'bun', path: 'bin/bun.exe' },
  deno: { pkg: 'deno', path: 'deno' },
  workerd: { pkg: 'workerd', path: 'bin/workerd' },
};

/** The runtime's executable from its npm package, or `undefined` when it is not installed. */
export function runtimeBinary(name: RuntimeName): string | undefined {
  const { pkg, path } = BINARIES[name];
  try {
    const binary = join(dirname(require.resolve(`${pkg}/package.json`)), path);
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return undefined;
  }
}

/** `runtimeBinary`, or an error saying how to install it. */
export function requireRuntimeBinary(name: RuntimeName): string {
  const binary = runtimeBinary(name);
  if (!binary) throw new Error(`${name} is not installed: run \`npx -y pnpm@10.34.8 install\``);
  return binary;
}

const entry = (name: RuntimeName) =>
  fileURLToPath(new URL(`./entries/${name}.ts`, import.meta.url));

/** Options of `startRuntime`. */
export interface StartRuntimeOptions {
  /** workerd only: the Worker's compatibility flags. @default ['enable_request_signal'] */
  compatibilityFlags?: readonly string[];
}

/** Bundles the fixture app for `name` and starts it as a server process on a free port. */
export async function startRuntime(
  name: RuntimeName,
  options: StartRuntimeOptions = {},
): Promise<RuntimeServer> {
  const binary = requireRuntimeBinary(name);
  const dir = await mkdtemp(join(tmpdir(), `sse-${name}-`));
  writeFileSync(join(dir, 'worker.mjs'), await bundleForRuntime(entry(name)));
  let server: ServerProcess;
  if (name === 'workerd') {
    writeFileSync(
      join(dir, 'config.capnp'),
      workerdConfig('worker.mjs', options.compatibilityFlags),
    );
    const args = ['serve', 'config.capnp', '--control-fd=3'];
    server = await startServerProcess({ name, command: binary, args, dir, portFrom: 'control-fd' });
  } else {
    const args = name === 'bun' ? ['run', 'worker.mjs'] : ['run', '--allow-net', 'worker.mjs'];
    server = await startServerProcess({ name, command: binary, args, dir, portFrom: 'stdout' });
  }
  return { ...server, name };
}
