import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { provideTestRedis } from './redis-global-setup';
import { answersPing, freeLocalPort } from './redis-server-process';

const hasRedisServer = spawnSync('redis-server', ['--version']).error === undefined;

describe('provideTestRedis', () => {
  it('uses SSE_REDIS_URL when it is set', async () => {
    const redis = await provideTestRedis({ env: { SSE_REDIS_URL: 'redis://10.0.0.1:7000' } });
    expect(redis).toMatchObject({ url: 'redis://10.0.0.1:7000' });
  });

  it.skipIf(!hasRedisServer)(
    'starts a redis-server of its own when nothing answers, and stops it',
    async () => {
      const redis = await provideTestRedis({ env: {}, port: await freeLocalPort() });
      if ('unavailable' in redis) throw new Error(redis.unavailable);
      const port = Number(new URL(redis.url!).port);
      expect(await answersPing('127.0.0.1', port)).toBe(true);
      await redis.stop();
      expect(await answersPing('127.0.0.1', port)).toBe(false);
    },
  );

  it('says why when no Redis answers and none can be started', async () => {
    const redis = await provideTestRedis({
      env: {},
      port: await freeLocalPort(),
      command: 'no-such-redis-server',
    });
    expect('unavailable' in redis && redis.unavailable).toMatch(/no-such-redis-server.*ENOENT/);
  });

  it('fails instead under CI', async () => {
    const providing = provideTestRedis({
      env: { CI: 'true' },
      port: await freeLocalPort(),
      command: 'no-such-redis-server',
    });
    await expect(providing).rejects.toThrow(/cannot run under CI/);
  });
});
