import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '@sse/core';
import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { redisBroker } from './index';
import { adminClient, freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';
import { runKeys } from './topic-keys';

type Events = { message: string; note: string };
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A producing and a reading instance on one Redis, the reader serving `GET /` for `name`. */
async function instances(name: string) {
  const prefix = freshPrefix();
  const brokers = [
    redisBroker({ url: REDIS_URL, prefix }),
    redisBroker({ url: REDIS_URL, prefix }),
  ];
  const [producer, reader] = brokers.map((broker) => createHub<Events>({ broker })) as [
    Hub<Events>,
    Hub<Events>,
  ];
  const server: NodeSseServer = await serveNodeSse({ heartbeat: false }, (stream) => {
    reader.topics(name).subscribe(stream);
  });
  cleanup.push(async () => {
    await server.close();
    producer.close();
    reader.close();
    await Promise.all(brokers.map((broker) => broker.close()));
  });
  return { prefix, producer, reader, url: server.url, readerBroker: brokers[1]! };
}

/** Data that a naive packing would split or shift: line breaks, commas, digits, unicode. */
function awkward(i: number): string {
  const shapes = [
    `line ${i}\nsecond, line\n\nthird`,
    `comma,separated,${i},`,
    `ünïcødé ✓ 🚀 ${i} 日本語`,
    `\n${i}\n`,
    `id: 9-9\nevent: sse-end\ndata: ${i}`,
    `${i}\n0-1\n11\nevent\n5\n`,
  ];
  return shapes[i % shapes.length]!;
}

interface Seen {
  id?: string;
  event?: string;
  data: string;
}
const seen = (events: Seen[]) =>
  events.map(({ id, event, data }) => ({ id, event: event ?? 'message', data }));

describe('runs on redisBroker: batches', () => {
  it('replays a batched run exactly, from its start, from an id inside a batch, and live', async () => {
    const { prefix, producer, url } = await instances('answer');
    const run = producer.run('answer');
    await waitUntil(async () => (await producer.runStatus('answer')) === 'running', 'the run');
    const live = await openRawSse(url);
    const published: Seen[] = [];
    const pending: Promise<string>[] = [];
    for (let i = 0; i < 2000; i++) {
      const event = i % 7 === 0 ? 'note' : 'message';
      const data = awkward(i);
      // Not awaited one by one: the run batches what is published while an append is out.
      pending.push(run.publish(data, { event }));
      published.push({ event, data });
    }
    const ids = await Promise.all(pending);
    ids.forEach((id, i) => (published[i]!.id = id));
    const endId = await run.end({ done: true });
    const expected = seen([...published, { id: endId, event: 'sse-end', data: '{"done":true}' }]);

    // Stored in batches: far fewer stream entries than events.
    const redis = await adminClient();
    const { stream } = runKeys(prefix, 'answer');
    const entries = (await redis.sendCommand(['XRANGE', stream, '-', '+'])) as [string, unknown][];
    expect(entries.length).toBeLessThan(2001 / 10);
    const entryIds = new Set(entries.map(([id]) => id));

    await live.ended;
    expect(seen(live.events)).toEqual(expected);

    const whole = await openRawSse(url);
    await whole.ended;
    expect(seen(whole.events)).toEqual(expected);

    // An id inside a batch entry (not the entry's own id, its last event's).
    const inside = ids.findIndex((id, i) => i > 1000 && !entryIds.has(id));
    expect(inside).toBeGreaterThan(0);
    const resumed = await openRawSse(url, { headers: { 'Last-Event-ID': ids[inside]! } });
    await resumed.ended;
    expect(seen(resumed.events)).toEqual(expected.slice(inside + 1));
  });

  it('keeps every character of the data: carriage returns, NUL, lone surrogates', async () => {
    const { producer, readerBroker } = await instances('raw');
    const run = producer.run('raw');
    const datas = ['a\r\nb\rc', '\0\u0001', 'x\uD800y', '\uDC00', '12\n34', ''];
    const ids = await Promise.all(datas.map((data) => run.publish(data)));
    await run.end();
    const page = await readerBroker.runs!.readAfter!('raw', '0-0', 256);
    const stored = page.events.slice(0, datas.length);
    expect(stored.map((event) => event.id)).toEqual(ids);
    // What UTF-8 cannot carry (a lone surrogate) comes back as U+FFFD, one character as well.
    expect(stored.map((event) => event.data)).toEqual(
      datas.map((data) => data.replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
    );
    const after = await readerBroker.runs!.readAfter!('raw', ids[2]!, 256);
    expect(after.events.map((event) => event.id)).toEqual([...ids.slice(3), expect.any(String)]);
  });

  it('replays runs stored one event per entry, as earlier versions stored them', async () => {
    const { prefix, reader, url } = await instances('earlier');
    const redis = await adminClient();
    const { stream, run: state } = runKeys(prefix, 'earlier');
    const ids = ['1700000000000-0', '1700000000000-1', '1700000000001-0', '1700000000002-0'];
    await redis.sendCommand(['XADD', stream, ids[0]!, 'd', 'one\ntwo', 's', '0']);
    await redis.sendCommand(['XADD', stream, ids[1]!, 'd', '"x"', 's', '1', 'e', 'note']);
    await redis.sendCommand(['XADD', stream, ids[2]!, 'd', 'three', 's', '0']);
    await redis.sendCommand(['XADD', stream, ids[3]!, 'd', '{}', 's', '1', 'e', 'sse-end']);
    await redis.sendCommand(['HSET', state, 'status', 'ended', 'finalId', ids[3]!]);
    const expected = [
      { id: ids[0], event: 'message', data: 'one\ntwo' },
      { id: ids[1], event: 'note', data: '"x"' },
      { id: ids[2], event: 'message', data: 'three' },
      { id: ids[3], event: 'sse-end', data: '{}' },
    ];

    const whole = await openRawSse(url);
    await whole.ended;
    expect(seen(whole.events)).toEqual(expected);
    const resumed = await openRawSse(url, { headers: { 'Last-Event-ID': ids[1]! } });
    await resumed.ended;
    expect(seen(resumed.events)).toEqual(expected.slice(2));
    // A client holding the final id is answered 204 (adapters check before the stream opens).
    await expect(
      Promise.resolve(reader.topics('earlier').beforeOpen?.({ lastEventId: ids[3]! })),
    ).rejects.toMatchObject({ code: 'ERR_SSE_ENDED', status: 204 });
  });
});
