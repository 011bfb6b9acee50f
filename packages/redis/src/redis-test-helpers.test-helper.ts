import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import { afterAll } from 'vitest';
import type { Backplane } from '@sse/core';
import {
  freeLocalPort as freePort,
  skipWithoutRedis,
  TEST_REDIS_URL as REDIS_URL,
} from '@sse/test-kit';
import type { RedisConnection } from './connection';

export { TEST_REDIS_URL as REDIS_URL } from '@sse/test-kit';

// Every file importing these helpers needs Redis (a test-kit global setup provides one).
skipWithoutRedis();

/** A key no other test (or run) uses; deleted after the file's tests. */
export function freshKey(): string {
  const key = `sse-test:${randomUUID()}`;
  keys.push(key, `${key}:trimmed`);
  return key;
}
const keys: string[] = [];

/** A broker prefix no other test (or run) uses; its keys are deleted after the file's tests. */
export function freshPrefix(): string {
  const prefix = `sse-test:${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
}
const prefixes: string[] = [];

/** Every key under `prefix` (SCAN, so it works on a Redis in use). */
export async function keysUnder(redis: RedisConnection, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const reply = (await redis.sendCommand([
      'SCAN',
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      '1000',
    ])) as [string, string[]];
    cursor = reply[0];
    found.push(...reply[1]);
  } while (cursor !== '0');
  return found;
}

let admin: RedisConnection | undefined;
/** A plain client for inspecting and preparing streams. */
export async function adminClient(): Promise<RedisConnection> {
  if (!admin) {
    admin = createClient({ url: REDIS_URL });
    await admin.connect();
  }
  return admin;
}

afterAll(async () => {
  if (keys.length > 0) await (await adminClient()).sendCommand(['DEL', ...keys.splice(0)]);
  for (const prefix of prefixes.splice(0)) {
    const under = await keysUnder(await adminClient(), prefix);
    for (let i = 0; i < under.length; i += 1000) {
      await (await adminClient()).sendCommand(['DEL', ...under.slice(i, i + 1000)]);
    }
  }
  await admin?.close();
  admin = undefined;
});

/** Closes backplanes after each test. */
export function closeAll(backplanes: Backplane[]): Promise<unknown> {
  const closing = backplanes.map(async (backplane) => backplane.close?.());
  backplanes.length = 0;
  return Promise.all(closing);
}

/** A free TCP port on 127.0.0.1. */
export { freeLocalPort as freePort } from '@sse/test-kit';

/** A redis-server of the test's own, which it may stop and start again on the same port. */
export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child!.once('error', reject);
        child!.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('Ready to accept connections')) resolve();
        });
      });
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await own.start();
  return own;
}
