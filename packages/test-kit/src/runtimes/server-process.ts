import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** A server process on 127.0.0.1. */
export interface ServerProcess {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  /** Stops the process and removes its directory. */
  close(): Promise<void>;
}

/** How to start a server process and learn its port. */
export interface ServerProcessSpec {
  /** Shown in errors. */
  name: string;
  command: string;
  args: readonly string[];
  /** A temp directory of the process's files, removed when it stops; also its cwd. */
  dir: string;
  /**
   * Where the port is printed: `stdout` (a line `listening on PORT`) or `control-fd` (fd 3,
   * workerd's `{"event":"listen","port":PORT}`).
   */
  portFrom: 'stdout' | 'control-fd';
}

const STARTUP_TIMEOUT_MS = 20_000;

/** Starts a server process and resolves once it has printed the port it listens on. */
export async function startServerProcess(spec: ServerProcessSpec): Promise<ServerProcess> {
  const controlFd = spec.portFrom === 'control-fd';
  const child: ChildProcess = spawn(spec.command, spec.args, {
    cwd: spec.dir,
    stdio: controlFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    // No prompts, no update checks, no colours.
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
  });
  const portSource = (controlFd ? child.stdio[3] : child.stdout) as Readable;
  const portPattern = controlFd ? /"port":(\d+)/ : /listening on (\d+)/;
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const removeDir = () => rm(spec.dir, { recursive: true, force: true });

  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const onExit = (code: number | null) => fail(`exited (code ${String(code)})`);
    const timer = setTimeout(() => fail('did not start'), STARTUP_TIMEOUT_MS);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      void removeDir();
      reject(new Error(`${spec.name} ${why} within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }
    portSource.on('data', (chunk: Buffer) => {
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
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(killer);
      }
      await removeDir();
    },
  };
}
