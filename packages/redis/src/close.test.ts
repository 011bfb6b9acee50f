import { expect, it } from 'vitest';
import { waitUntil } from '@sse/test-kit/unit';
import { redisBackplane, redisBroker } from './index';
import { freshKey, freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const sockets = () =>
  process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;

// In a file of its own: no other test's sockets may still be closing when it counts.
it('closes every connection it opened on close(), even one still being set up', async () => {
  const before = sockets();

  // Closed at once: its connections are still connecting.
  const early = redisBackplane({ url: REDIS_URL, key: freshKey() });
  early.listen(() => {})();
  await early.close?.();
  // Closed after use: a live tail blocked in XREAD, and a publish.
  const used = redisBackplane({ url: REDIS_URL, key: freshKey() });
  used.listen(() => {});
  await used.readAfter('0-0');
  await used.append({ data: 'x', serialized: false });
  expect(sockets()).toBeGreaterThan(before);
  await used.close?.();
  // A broker listening to topics, and one that only published.
  const broker = redisBroker({ url: REDIS_URL, prefix: freshPrefix() });
  broker.backplane('a').listen(() => {});
  await broker.backplane('a').readAfter('0-0');
  await broker.backplane('b').append({ data: 'x', serialized: false });
  const publisher = redisBroker({ url: REDIS_URL, prefix: freshPrefix() });
  await publisher.backplane('c').append({ data: 'x', serialized: false });
  await Promise.all([broker.close(), publisher.close()]);

  await waitUntil(() => sockets() === before, 'every socket closed', 3000);
});
