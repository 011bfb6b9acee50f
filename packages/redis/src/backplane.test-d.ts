import { createClient } from 'redis';
import { expectTypeOf, test } from 'vitest';
import type { Backplane } from '@sse/core';
import { redisBackplane } from './index';

test('takes a node-redis client as it comes from createClient()', () => {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  expectTypeOf(redisBackplane({ client, key: 'sse:news' })).toEqualTypeOf<Backplane>();
  expectTypeOf(
    redisBackplane({ url: 'redis://127.0.0.1:6379', key: 'sse:news', maxLen: 10 }),
  ).toEqualTypeOf<Backplane>();
});
