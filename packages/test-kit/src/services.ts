import { beforeEach } from 'vitest';

/** The variable naming the Redis the tests use (set by the global setup when it starts its own). */
export const REDIS_URL_ENV = 'SSE_REDIS_URL';
/** Set by the global setup, to the reason, when no Redis can be had (never under CI). */
export const REDIS_UNAVAILABLE_ENV = 'SSE_REDIS_UNAVAILABLE';

/**
 * The Redis the tests use: `SSE_REDIS_URL`, else the one at 127.0.0.1:6379. When none answers
 * there, the global setup (`redis-global-setup.ts`) starts a `redis-server` on a free port and
 * sets `SSE_REDIS_URL`. Tests that stop Redis start their own.
 */
export const TEST_REDIS_URL = process.env[REDIS_URL_ENV] ?? 'redis://127.0.0.1:6379';

/**
 * Skips the tests of the calling file (or `describe` block) when the run has no Redis, saying
 * why. Under CI the run fails instead (see the global setup), so these tests always run there.
 */
export function skipWithoutRedis(): void {
  const reason = process.env[REDIS_UNAVAILABLE_ENV];
  if (reason) beforeEach((context) => context.skip(`needs Redis: ${reason}`));
}
