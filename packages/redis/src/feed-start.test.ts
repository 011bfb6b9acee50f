import { afterEach, expect, it } from 'vitest';
import type { Broker } from '@sse/core';
import { waitUntil } from '@sse/test-kit/unit';
import { redisBroker } from './index';
import { freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const open: Broker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
});

// The acknowledgement of a feed's subscription and the first live messages often come in one
// socket read, before the feed has read the stream: they must not make it skip what was
// published between listening and subscribing.
it('hands a new listener every event from where it began to listen, while a publisher never pauses', async () => {
  const prefix = freshPrefix();
  const publisher = redisBroker({ url: REDIS_URL, prefix });
  const listener = redisBroker({ url: REDIS_URL, prefix });
  open.push(publisher, listener);
  // Both brokers' connections are up before the race begins.
  await publisher.backplane('warm-up').append({ data: 'x', serialized: false });
  await listener.backplane('warm-up').readAfter('0-0');

  for (let round = 0; round < 40; round++) {
    const topic = `busy:${round}`;
    const published: string[] = [];
    let publishing = true;
    const publishingDone = (async () => {
      // Ten appends in flight at a time: events keep coming within every millisecond.
      for (let n = 0; publishing; n += 10) {
        const batch = Array.from({ length: 10 }, (_, i) => `${n + i}`);
        await Promise.all(
          batch.map((data) => publisher.backplane(topic).append({ data, serialized: false })),
        );
        published.push(...batch);
      }
    })();
    await waitUntil(() => published.length >= 20, 'a publisher in full flow');
    const seen: string[] = [];
    const from = published.length;
    const stop = listener.backplane(topic).listen((event) => seen.push(event.data));
    await waitUntil(() => published.length >= from + 500, 'more events published');
    publishing = false;
    await publishingDone;
    await waitUntil(() => seen.at(-1) === published.at(-1), 'the last event', 5_000);
    stop();

    // Every event from where it began to listen, once and in order. It may get a few from
    // before: where it began is fixed on Redis's clock; the appends in flight then may be
    // stored before or after.
    const first = published.indexOf(seen[0]!);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(from + 10);
    expect(seen).toEqual(published.slice(first));
  }
}, 60_000);
