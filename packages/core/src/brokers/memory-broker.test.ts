import { retainedMemory, sleep, waitUntil } from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackplaneEvent } from '../backplane';
import { SseError } from '../errors';
import type { Broker } from './broker';
import { memoryBroker, type MemoryBrokerOptions } from './memory-broker';

const MiB = 1024 * 1024;
const input = (data: string) => ({ data, serialized: false });
const dataOf = (events: readonly BackplaneEvent[]) => events.map((event) => event.data);

const brokers: Broker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

function broker(options?: MemoryBrokerOptions): Broker {
  const created = memoryBroker(options);
  brokers.push(created);
  return created;
}

const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

describe('memoryBroker', () => {
  it('keeps each topic its own history, shared by every backplane of that topic', async () => {
    const topics = broker();
    const a1 = topics.backplane('a');
    const a2 = topics.backplane('a');
    const b = topics.backplane('b');
    const first = await a1.append(input('a1'));
    await a2.append(input('a2'));
    await b.append(input('b1'));

    expect(dataOf((await a2.readAfter(first)).events)).toEqual(['a2']);
    expect(dataOf((await b.readAfter(first)).events)).toEqual(['b1']);
    expect((await a1.readAfter(first)).gap).toBe(false);
  });

  it('delivers a topic’s events to the listeners of every backplane of it; close() removes only its own', async () => {
    const topics = broker();
    const [one, two, other] = [topics.backplane('t'), topics.backplane('t'), topics.backplane('u')];
    const seen: string[] = [];
    one.listen((event) => seen.push(`one:${event.data}`));
    two.listen((event) => seen.push(`two:${event.data}`));
    other.listen((event) => seen.push(`other:${event.data}`));

    await one.append(input('x'));
    await two.close?.();
    await one.append(input('y'));

    expect(seen).toEqual(['one:x', 'two:x', 'one:y']);
  });

  it('keeps a topic’s history ttl seconds after its last publish with no backplane open, then reports the gap', async () => {
    const topics = broker({ ttl: 0.3 });
    const plane = topics.backplane('news');
    const first = await plane.append(input('1'));
    await plane.append(input('2'));
    await plane.close?.();

    // No backplane object of the topic is alive: the history is still there.
    const later = topics.backplane('news');
    expect(dataOf((await later.readAfter(first)).events)).toEqual(['2']);
    await later.close?.();

    await sleep(1000);
    const expired = await topics.backplane('news').readAfter(first);
    expect(expired).toEqual({ events: [], gap: true, oldestId: null });
  });

  it('expires the history of a topic still listened to, and keeps delivering its new events', async () => {
    const topics = broker({ ttl: 0.2 });
    const plane = topics.backplane('room');
    const seen: string[] = [];
    plane.listen((event) => seen.push(event.data));
    const old = await plane.append(input('old'));
    const last = await plane.append(input('last'));

    await sleep(800);
    const fresh = await plane.append(input('fresh'));

    expect(seen).toEqual(['old', 'last', 'fresh']);
    // 'last' expired unseen by a client that had 'old': a gap.
    const resumed = await plane.readAfter(old);
    expect(resumed.gap).toBe(true);
    expect(dataOf(resumed.events)).toEqual(['fresh']);
    // A client that had everything before the expiry missed nothing.
    const caughtUp = await plane.readAfter(last);
    expect(dataOf(caughtUp.events)).toEqual(['fresh']);
    expect((await plane.readAfter(fresh)).gap).toBe(false);
  });

  it('reads a topic from the start with 0-0, with a gap only when its history dropped events', async () => {
    const topics = broker({ history: 2 });
    const plane = topics.backplane('log');
    await plane.append(input('1'));
    expect(await plane.readAfter('0-0')).toMatchObject({ gap: false });
    await plane.append(input('2'));
    await plane.append(input('3'));
    const read = await plane.readAfter('0-0');
    expect(read.gap).toBe(true);
    expect(dataOf(read.events)).toEqual(['2', '3']);
    expect(await topics.backplane('never').readAfter('0-0')).toEqual({
      events: [],
      gap: false,
      oldestId: null,
    });
  });

  it('treats an id it cannot place as unknown: a gap, with everything retained', async () => {
    const plane = broker().backplane('t');
    await plane.append(input('kept'));
    for (const id of [
      'abc',
      '99999999999999999999999999-0',
      '18446744073709551615-18446744073709551615',
    ]) {
      const read = await plane.readAfter(id);
      expect(read.gap).toBe(true);
      expect(dataOf(read.events)).toEqual(['kept']);
    }
  });

  it('expires every topic with one timer, not one per topic', async () => {
    const before = timers();
    const topics = broker({ ttl: 0.05 });
    for (let n = 0; n < 1000; n++) await topics.backplane(`t${n}`).append(input('x'));
    expect(timers()).toBeLessThanOrEqual(before + 1);
    // Nothing left to expire: the timer stops too.
    await waitUntil(() => timers() === before, 'the sweep timer to stop', 3000);
  });

  it('refuses bad options and bad topics with an SseError naming them', () => {
    expect(() => memoryBroker({ ttl: 0 })).toThrow(/ttl must be a positive number/);
    expect(() => memoryBroker({ ttl: Number.NaN })).toThrow(SseError);
    expect(() => memoryBroker({ history: -1 })).toThrow(/history must be a non-negative integer/);
    expect(() => broker().backplane('')).toThrow(/a topic is a non-empty string/);
  });

  it('refuses work once closed', async () => {
    const topics = memoryBroker();
    const plane = topics.backplane('t');
    await topics.close();
    expect(() => topics.backplane('t')).toThrow(/closed broker/);
    await expect(plane.append(input('x'))).rejects.toThrow(/closed broker/);
  });

  it('forgets 100,000 topics published once, once their ttl has passed', async () => {
    const topics = broker({ history: 10, ttl: 1 });
    const publishOnce = async (prefix: string, count: number) => {
      for (let n = 0; n < count; n++) {
        const plane = topics.backplane(`${prefix}:${n}`);
        await plane.append(input('hello'));
        await plane.close?.();
      }
    };
    await publishOnce('warm-up', 2000);
    await sleep(1500);
    const start = retainedMemory();

    await publishOnce('user', 100_000);
    const peak = retainedMemory();
    await sleep(1500);
    const end = retainedMemory();

    // Sanity: the topics did cost memory while they held history.
    expect((peak - start) / MiB).toBeGreaterThan(10);
    expect((end - start) / MiB).toBeLessThan(4);
  }, 20_000);
});
