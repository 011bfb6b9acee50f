import { afterEach, describe, expect, it } from 'vitest';
import { SseError, type Backplane, type BackplaneEvent } from '@sse/core';
import { waitUntil } from '@sse/test-kit/unit';
import { redisBackplane } from './index';
import { adminClient, closeAll, freshKey, REDIS_URL } from './redis-test-helpers.test-helper';

const open: Backplane[] = [];
afterEach(() => closeAll(open));

function backplane(key: string, maxLen?: number): Backplane {
  const created = redisBackplane({ url: REDIS_URL, key, maxLen });
  open.push(created);
  return created;
}

const message = (data: string) => ({ data, serialized: false });

describe('redisBackplane', () => {
  it('appends to a Redis stream and answers with its stream ids, in order', async () => {
    const key = freshKey();
    const plane = backplane(key);

    const first = await plane.append(message('one'));
    const second = await plane.append({ event: 'note', data: '{"n":2}', serialized: true });

    expect(first).toMatch(/^\d+-\d+$/);
    const redis = await adminClient();
    expect(await redis.sendCommand(['XRANGE', key, '-', '+'])).toEqual([
      [first, ['d', 'one', 's', '0']],
      [second, ['d', '{"n":2}', 's', '1', 'e', 'note']],
    ]);
  });

  it('reads back what came after an id, as the events were appended', async () => {
    const plane = backplane(freshKey());
    const ids = [];
    for (const data of ['a', 'b', 'c']) ids.push(await plane.append(message(data)));
    await plane.append({ event: 'named', data: '{"x":1}', serialized: true });

    const result = await plane.readAfter(ids[0]!);

    expect(result.gap).toBe(false);
    expect(result.oldestId).toBe(ids[0]);
    expect(
      result.events.map(({ data, event, serialized }) => ({ data, event, serialized })),
    ).toEqual([
      { data: 'b', event: undefined, serialized: false },
      { data: 'c', event: undefined, serialized: false },
      { data: '{"x":1}', event: 'named', serialized: true },
    ]);
  });

  it('keeps the last maxLen events and reports a gap for an id trimmed away', async () => {
    const plane = backplane(freshKey(), 3);
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await plane.append(message(String(n))));

    const fromTrimmed = await plane.readAfter(ids[0]!);
    expect(fromTrimmed.gap).toBe(true);
    expect(fromTrimmed.oldestId).toBe(ids[2]);
    expect(fromTrimmed.events.map((e) => e.data)).toEqual(['3', '4', '5']);

    // The newest id trimmed away is no gap: everything after it is still there.
    const fromEdge = await plane.readAfter(ids[1]!);
    expect(fromEdge.gap).toBe(false);
    expect(fromEdge.events.map((e) => e.data)).toEqual(['3', '4', '5']);
  });

  it('reports a gap, with every retained event, for an id that is not a stream id', async () => {
    const plane = backplane(freshKey());
    await plane.append(message('kept'));

    const result = await plane.readAfter('not-an-id');

    expect(result.gap).toBe(true);
    expect(result.events.map((e) => e.data)).toEqual(['kept']);
  });

  it('answers an empty history for a stream that does not exist: from the start without a gap, from an id with one', async () => {
    const plane = backplane(freshKey());
    expect(await plane.readAfter('0-0')).toEqual({ events: [], gap: false, oldestId: null });
    // Whoever saw an event of the stream lost it (flushed, a restart without persistence).
    expect(await plane.readAfter('1-0')).toEqual({ events: [], gap: true, oldestId: null });
  });

  it('delivers what any instance appends to the listeners of every instance, in stream order', async () => {
    const key = freshKey();
    const [a, b] = [backplane(key), backplane(key)];
    const seenByA: BackplaneEvent[] = [];
    const seenByB: BackplaneEvent[] = [];
    a.listen((event) => seenByA.push(event));
    b.listen((event) => seenByB.push(event));
    // Listening starts from the stream's end as it is when the tail is armed.
    await a.readAfter('0-0');
    await b.readAfter('0-0');

    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).append(message(String(n)))),
    );

    await waitUntil(() => seenByA.length === 20 && seenByB.length === 20, 'every event arrived');
    const sorted = [...appended].sort((x, y) => {
      const [xm, xs] = x.split('-').map(Number);
      const [ym, ys] = y.split('-').map(Number);
      return xm! - ym! || xs! - ys!;
    });
    expect(seenByA.map((e) => e.id)).toEqual(sorted);
    expect(seenByB.map((e) => e.id)).toEqual(sorted);
  });

  it('takes a publisher id that is a later stream id, and refuses others with a clear error', async () => {
    const plane = backplane(freshKey());
    const first = await plane.append(message('first'));
    const [ms] = first.split('-');
    const later = `${Number(ms) + 1000}-7`;

    expect(await plane.append({ ...message('mine'), id: later })).toBe(later);
    await expect(plane.append({ ...message('x'), id: 'abc' })).rejects.toThrow(
      /stream ids \(<ms>-<seq>\), got "abc"/,
    );
    await expect(plane.append({ ...message('x'), id: first })).rejects.toThrow(
      new RegExp(`event id ${first} is not after the newest id`),
    );
  });

  it('refuses bad options with an SseError naming the option', () => {
    expect(() => redisBackplane({ key: 'k' })).toThrow(/exactly one of `url` or `client`/);
    expect(() => redisBackplane({ url: 'http://x', key: 'k' })).toThrow(/redis:\/\//);
    expect(() => redisBackplane({ url: REDIS_URL, key: '' })).toThrow(/key must be/);
    expect(() => redisBackplane({ url: REDIS_URL, key: 'k', maxLen: 0 })).toThrow(
      /maxLen must be a positive integer, got 0/,
    );
    expect(() => redisBackplane({ url: REDIS_URL, key: 'k', maxLen: 0 })).toThrow(SseError);
  });

  it('works on a node-redis client of yours, and leaves it open on close()', async () => {
    const client = await adminClient();
    const key = freshKey();
    const plane = redisBackplane({ client, key });
    const seen: string[] = [];
    const stop = plane.listen((event) => seen.push(event.data));
    await plane.readAfter('0-0');

    await plane.append(message('via your client'));
    await waitUntil(() => seen.length === 1, 'the event arrived');
    stop();
    await plane.close?.();

    expect(seen).toEqual(['via your client']);
    expect(client.isOpen).toBe(true);
  });
});
