import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { bundleForRuntime } from './bundle';
import { workerdConfig } from './workerd-config';

/** The runtimes the runtime tests start, each from its npm package. */
export type RuntimeName = 'bun' | 'deno' | 'workerd';

/** A runtime serving the fixture app on 127.0.0.1. */
export interface RuntimeServer {
  name: RuntimeName;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
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

const entry = (name: RuntimeName) =>
  fileURLToPath(new URL(`./entries/${name}.ts`, import.meta.url));

const STARTUP_TIMEOUT_MS = 20_000;

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
  const binary = runtimeBinary(name);
  if (!binary) throw new Error(`${name} is not installed (run pnpm install)`);
  const dir = await mkdtemp(join(tmpdir(), `sse-${name}-`));
  const bundle = join(dir, 'worker.mjs');
  writeFileSync(bundle, await bundleForRuntime(entry(name)));
  let child: ChildProcess;
  let portFrom: Readable;
  let portPattern: RegExp;
  if (name === 'workerd') {
    const config = join(dir, 'config.capnp');
    writeFileSync(config, workerdConfig('worker.mjs', options.compatibilityFlags));
    // The control fd reports the port the socket got: {"event":"listen","port":N,...}.
    child = spawn(binary, ['serve', config, '--control-fd=3'], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    portFrom = child.stdio[3] as Readable;
    portPattern = /"port":(\d+)/;
  } else {
    const args = name === 'bun' ? ['run', bundle] : ['run', '--allow-net', bundle];
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: runtimeEnv() });
    portFrom = child.stdout!;
    portPattern = /listening on (\d+)/;
  }
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const onExit = (code: number | null) => fail(`exited (code ${String(code)})`);
    const timer = setTimeout(() => fail('did not start'), STARTUP_TIMEOUT_MS);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      void rm(dir, { recursive: true, force: true });
      reject(new Error(`${name} ${why} within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }
    portFrom.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = portPattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', onExit);
  });
  return {
    name,
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The environment of a runtime process: no prompts, no update checks, no colours. */
function runtimeEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
}
