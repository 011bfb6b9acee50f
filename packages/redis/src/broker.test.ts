import { afterEach, describe, expect, it } from 'vitest';
import { compareEventIds, SseError, type Broker, type BackplaneEvent } from '@sse/core';
import { sleep, waitUntil } from '@sse/test-kit/unit';
import { redisBroker, type RedisBrokerOptions } from './index';
import { adminClient, freshPrefix, keysUnder, REDIS_URL } from './redis-test-helpers.test-helper';

const open: Broker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
});

function broker(options: Omit<RedisBrokerOptions, 'url'> = {}): Broker {
  const created = redisBroker({ url: REDIS_URL, prefix: freshPrefix(), ...options });
  open.push(created);
  return created;
}

const message = (data: string) => ({ data, serialized: false });
const dataOf = (events: readonly BackplaneEvent[]) => events.map((event) => event.data);

describe('redisBroker', () => {
  it('keeps each topic in a stream of its own, tagged by the topic for Redis Cluster', async () => {
    const prefix = freshPrefix();
    const topics = broker({ prefix });
    const first = await topics.backplane('room:1').append(message('one'));
    await topics.backplane('room:1').append({ event: 'note', data: '{"n":2}', serialized: true });
    await topics.backplane('room:2').append(message('other'));
    await topics.backplane('odd}{name').append(message('braces'));

    const redis = await adminClient();
    const keys = await keysUnder(redis, prefix);
    expect(keys).toContain(`${prefix}{room:1}`);
    expect(keys).toContain(`${prefix}{room:2}`);
    // A topic with braces would break the hash tag: it is tagged by its hash instead.
    expect(keys.filter((key) => /\{#[0-9a-f]{40}\}$/.test(key))).toHaveLength(1);
    const read = await topics.backplane('room:1').readAfter(first);
    expect(read).toMatchObject({ gap: false, oldestId: first });
    expect(read.events.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: 'note', data: '{"n":2}' },
    ]);
    expect(dataOf((await topics.backplane('odd}{name').readAfter('0-0')).events)).toEqual([
      'braces',
    ]);
  });

  it('delivers a topic’s events to every instance listening to it, and nothing of other topics', async () => {
    const prefix = freshPrefix();
    const [a, b] = [broker({ prefix }), broker({ prefix })];
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    const onA = a.backplane('news');
    onA.listen((event) => seenByA.push(event.data));
    b.backplane('news').listen((event) => seenByB.push(event.data));
    b.backplane('other').listen((event) => seenByB.push(`other:${event.data}`));
    // Listening is set up before history is read: from then on nothing is missed.
    await onA.readAfter('0-0');
    await b.backplane('news').readAfter('0-0');

    for (let n = 0; n < 10; n++) await (n % 2 ? a : b).backplane('news').append(message(`${n}`));
    await a.backplane('unheard').append(message('x'));

    const expected = Array.from({ length: 10 }, (_, n) => `${n}`);
    await waitUntil(() => seenByA.length === 10 && seenByB.length === 10, 'every event arrived');
    expect(seenByA).toEqual(expected);
    expect(seenByB).toEqual(expected);
  });

  it('subscribes an instance to a topic only while it listens to it', async () => {
    const prefix = freshPrefix();
    const topics = broker({ prefix });
    const redis = await adminClient();
    const subscribers = async () =>
      ((await redis.sendCommand(['PUBSUB', 'NUMSUB', `${prefix}{quiet}`])) as unknown[])[1];

    const plane = topics.backplane('quiet');
    await plane.append(message('published, nobody listens'));
    expect(await subscribers()).toBe(0);
    const stop = plane.listen(() => {});
    await plane.readAfter('0-0');
    expect(await subscribers()).toBe(1);
    stop();
    await waitUntil(async () => (await subscribers()) === 0, 'the subscription dropped');
  });

  it('close() of a topic’s backplane stops only its own listeners', async () => {
    const topics = broker();
    const [one, two] = [topics.backplane('t'), topics.backplane('t')];
    const seen: string[] = [];
    one.listen((event) => seen.push(`one:${event.data}`));
    two.listen((event) => seen.push(`two:${event.data}`));
    await one.readAfter('0-0');

    await one.append(message('x'));
    await waitUntil(() => seen.length === 2, 'both heard x');
    await two.close?.();
    await one.append(message('y'));
    await waitUntil(() => seen.length === 3, 'one heard y');

    expect(seen.sort()).toEqual(['one:x', 'one:y', 'two:x']);
  });

  it('caps a topic at maxLen events and expires it ttl seconds after its last publish', async () => {
    const prefix = freshPrefix();
    const topics = broker({ prefix, maxLen: 3, ttl: 60 });
    const plane = topics.backplane('capped');
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await plane.append(message(`${n}`)));

    const redis = await adminClient();
    expect(await redis.sendCommand(['XLEN', `${prefix}{capped}`])).toBe(3);
    for (const key of [`${prefix}{capped}`, `${prefix}{capped}:trimmed`]) {
      const ttl = Number(await redis.sendCommand(['PTTL', key]));
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    const trimmed = await plane.readAfter(ids[0]!);
    expect(trimmed).toMatchObject({ gap: true, oldestId: ids[2] });
    expect(dataOf(trimmed.events)).toEqual(['3', '4', '5']);
    expect((await plane.readAfter(ids[1]!)).gap).toBe(false);
  });

  it('sends the gap to a client resuming from a history that expired', async () => {
    const plane = broker({ ttl: 0.3 }).backplane('short-lived');
    const id = await plane.append(message('soon gone'));
    await sleep(600);
    expect(await plane.readAfter(id)).toEqual({ events: [], gap: true, oldestId: null });
  });

  it('never gives an id of a lost history again, even when published again at once', async () => {
    const prefix = freshPrefix();
    const plane = broker({ prefix }).backplane('lost');
    const redis = await adminClient();
    for (let round = 0; round < 20; round++) {
      const before = await plane.append(message('before the loss'));
      await redis.sendCommand(['DEL', `${prefix}{lost}`, `${prefix}{lost}:trimmed`]);
      const after = await plane.append(message('after'));
      expect(compareEventIds(after, before)).toBeGreaterThan(0);
      const read = await plane.readAfter(before);
      expect(read.gap).toBe(true);
      expect(dataOf(read.events)).toEqual(['after']);
    }
  });

  it('sends the gap to a client resuming from a history Redis lost, also once the topic is published again', async () => {
    const prefix = freshPrefix();
    const plane = broker({ prefix }).backplane('lost');
    const id = await plane.append(message('before the loss'));
    const redis = await adminClient();
    await redis.sendCommand(['DEL', `${prefix}{lost}`, `${prefix}{lost}:trimmed`]);

    expect((await plane.readAfter(id)).gap).toBe(true);
    await plane.append(message('after'));
    const read = await plane.readAfter(id);
    expect(read.gap).toBe(true);
    expect(dataOf(read.events)).toEqual(['after']);
  });

  it('gives a client that has seen nothing a position to resume from: the newest id, or the start', async () => {
    const plane = broker().backplane('cursor');
    const start = await plane.lastId!();
    expect(start).toBe('0-0');
    const first = await plane.append(message('1'));
    await plane.append(message('2'));

    expect(await plane.readAfter(start!)).toMatchObject({ gap: false });
    expect(dataOf((await plane.readAfter(start!)).events)).toEqual(['1', '2']);
    expect(await plane.lastId!()).not.toBe(first);
    expect(dataOf((await plane.readAfter((await plane.lastId!())!)).events)).toEqual([]);
  });

  it('treats a Last-Event-ID Redis cannot parse as unknown: a gap and every event kept, no Redis error', async () => {
    const errors: unknown[] = [];
    const plane = broker({ onError: (error) => errors.push(error) }).backplane('ids');
    await plane.append(message('kept'));
    for (const id of [
      '99999999999999999999999999-0',
      '18446744073709551615-18446744073709551615',
      'abc',
      '1-2-3',
    ]) {
      const read = await plane.readAfter(id);
      expect(read.gap).toBe(true);
      expect(dataOf(read.events)).toEqual(['kept']);
    }
    expect(errors).toEqual([]);
  });

  it('refuses bad options and bad topics with an SseError naming them', () => {
    expect(() => redisBroker({})).toThrow(/exactly one of `url` or `client`/);
    expect(() => redisBroker({ url: 'http://x' })).toThrow(/redis:\/\//);
    expect(() => redisBroker({ url: REDIS_URL, prefix: 'a{b' })).toThrow(/prefix must be/);
    expect(() => redisBroker({ url: REDIS_URL, maxLen: 0 })).toThrow(/maxLen must be/);
    expect(() => redisBroker({ url: REDIS_URL, ttl: -1 })).toThrow(/ttl must be a positive/);
    expect(() => redisBroker({ url: REDIS_URL, ttl: 0 })).toThrow(SseError);
    expect(() => broker().backplane('')).toThrow(/a topic is a non-empty string/);
  });

  it('refuses work once closed', async () => {
    const topics = redisBroker({ url: REDIS_URL, prefix: freshPrefix() });
    const plane = topics.backplane('t');
    await topics.close();
    expect(() => topics.backplane('t')).toThrow(/closed broker/);
    await expect(plane.append(message('x'))).rejects.toThrow(/after close/);
  });
});
