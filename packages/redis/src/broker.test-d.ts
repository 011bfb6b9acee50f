import { createClient, createCluster } from 'redis';
import { expectTypeOf, test } from 'vitest';
import type { Broker } from '@sse/core';
import { redisBackplane, redisBroker, type RedisBrokerOptions } from './index';

test('takes node-redis clients as they come from createClient() and createCluster()', () => {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
  expectTypeOf(redisBroker({ client })).toEqualTypeOf<Broker>();
  expectTypeOf(
    redisBroker({ client: cluster, prefix: 'app:', maxLen: 100, ttl: 60 }),
  ).toEqualTypeOf<Broker>();
  expectTypeOf(redisBroker({ url: 'redis://127.0.0.1:6379' })).toEqualTypeOf<Broker>();
  expectTypeOf(redisBackplane({ client: cluster, key: 'sse:{news}' }).append).toBeFunction();
  expectTypeOf<RedisBrokerOptions['onError']>().toEqualTypeOf<
    ((error: unknown) => void) | undefined
  >();
});
