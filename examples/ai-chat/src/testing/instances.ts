import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listen, TEST_REDIS_URL } from '@sse/test-kit';
import { createInstance, type AiChatInstance } from '../instance';

const EXAMPLE_DIR = fileURLToPath(new URL('../../', import.meta.url));
// Its paths point @sse/* at the sources, so a child process needs no build either.
const ROOT_TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

/** Seconds the tests' answers stay in Redis: long enough for any test, then gone. */
const TEST_TTL_S = 120;

/** A key prefix of one test's own: instances started with it share answers with no one else. */
export function freshPrefix(): string {
  return `sse-test:ai-chat:${randomUUID()}:`;
}

/** How the tests start an instance. */
export interface InstanceSettings {
  prefix: string;
  /** @default 20 */
  tokenDelayMs?: number;
}

/** An instance of the chat listening on 127.0.0.1. */
export interface RunningInstance {
  url: string;
  close(): Promise<void>;
}

/** An instance in this process, on a port of its own and a Redis connection of its own. */
export async function startInstance(
  settings: InstanceSettings,
): Promise<RunningInstance & { instance: AiChatInstance }> {
  const instance = createInstance({
    redisUrl: TEST_REDIS_URL,
    prefix: settings.prefix,
    tokenDelayMs: settings.tokenDelayMs ?? 20,
    ttl: TEST_TTL_S,
  });
  const server = await listen(createServer(instance.app));
  return {
    url: server.url,
    instance,
    async close() {
      await server.close();
      await instance.close();
    },
  };
}

/** An instance in a process of its own (`src/main.ts`), which a test can SIGKILL. */
export interface InstanceProcess extends RunningInstance {
  /** Kills the process at once, as a crash or an OOM kill would. */
  kill(): void;
  /** What it printed so far. */
  output(): string;
}

const STARTUP_TIMEOUT_MS = 20_000;

/** Starts `src/main.ts` in a child process on port 0 and resolves once it listens. */
export async function startInstanceProcess(settings: InstanceSettings): Promise<InstanceProcess> {
  // tsx as a loader in this one process (its CLI would run the app in a child of its own,
  // which a SIGKILL would not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: EXAMPLE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      REDIS_URL: TEST_REDIS_URL,
      SSE_REDIS_PREFIX: settings.prefix,
      TOKEN_DELAY_MS: String(settings.tokenDelayMs ?? 20),
      ANSWER_TTL_S: String(TEST_TTL_S),
      TSX_TSCONFIG_PATH: ROOT_TSCONFIG,
      NO_COLOR: '1',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start'), STARTUP_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`exited (code ${String(code)})`);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the chat instance ${why} within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }
    child.stdout.on('data', () => {
      const match = /listening on (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(Number(match[1]));
    });
    child.once('exit', onExit);
  });

  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill() {
      if (running()) child.kill('SIGKILL');
    },
    async close() {
      if (!running()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    },
  };
}
