import type { ChildProcess } from 'node:child_process';
import {
  answersPing,
  freeLocalPort,
  startRedisServer,
  stopRedisServer,
} from './redis-server-process';
import { REDIS_UNAVAILABLE_ENV, REDIS_URL_ENV } from './services';

/** Where `provideTestRedis` looks, and what it may start. */
export interface ProvideTestRedisOptions {
  /** The environment to read (`SSE_REDIS_URL`, `CI`). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The port of the Redis to use when one answers on 127.0.0.1. @default 6379 */
  port?: number;
  /** The server to start otherwise. @default 'redis-server' */
  command?: string;
}

/** What the tests get: a Redis URL to use (and how to stop it), or why they have none. */
export type TestRedis =
  { url: string | undefined; stop: () => Promise<void> } | { unavailable: string };

/**
 * Finds or starts the Redis the tests use: `SSE_REDIS_URL` when set; else the Redis answering
 * at 127.0.0.1:6379 (`url` undefined: the default); else a `redis-server` of its own on a free
 * port. With none of these, says why; under CI (`CI` set) it throws instead.
 */
export async function provideTestRedis(options: ProvideTestRedisOptions = {}): Promise<TestRedis> {
  const { env = process.env, port = 6379, command = 'redis-server' } = options;
  const none = () => Promise.resolve();
  if (env[REDIS_URL_ENV]) return { url: env[REDIS_URL_ENV], stop: none };
  if (await answersPing('127.0.0.1', port)) return { url: undefined, stop: none };

  let failure = new Error('unknown failure');
  // A free port can be taken between the check and the start: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const ownPort = await freeLocalPort();
    const child: ChildProcess | Error = await startRedisServer(command, ownPort).catch(
      (error: Error) => error,
    );
    if (!(child instanceof Error)) {
      return { url: `redis://127.0.0.1:${ownPort}`, stop: () => stopRedisServer(child) };
    }
    failure = child;
    if ((child as NodeJS.ErrnoException).code === 'ENOENT') break;
  }
  const reason =
    `no Redis answers at 127.0.0.1:${port} and no ${command} could be started ` +
    `(${failure.message}): install Redis (Debian: apt-get install redis-server) or set ${REDIS_URL_ENV}`;
  if (env.CI) throw new Error(`The Redis tests cannot run under CI: ${reason}`);
  return { unavailable: reason };
}

/**
 * Vitest global setup: the Redis of `provideTestRedis` for the whole run, passed to the test
 * workers through `SSE_REDIS_URL` (or, when there is none, the reason through
 * `SSE_REDIS_UNAVAILABLE`, which `skipWithoutRedis()` reads), with one line saying which.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const redis = await provideTestRedis();
  if ('unavailable' in redis) {
    process.env[REDIS_UNAVAILABLE_ENV] = redis.unavailable;
    process.stdout.write(`Skipping the tests that need Redis: ${redis.unavailable}\n`);
    return undefined;
  }
  if (redis.url === undefined || process.env[REDIS_URL_ENV]) return undefined;
  process.env[REDIS_URL_ENV] = redis.url;
  process.stdout.write(
    `No Redis at 127.0.0.1:6379: the tests use a redis-server of their own at ${redis.url}\n`,
  );
  // Should vitest die without running the teardown, Redis must not outlive it.
  const kill = () => void redis.stop();
  process.once('exit', kill);
  return async () => {
    process.off('exit', kill);
    await redis.stop();
  };
}
