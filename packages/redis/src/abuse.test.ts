import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareEventIds, createChannel, type Backplane, type Channel } from '@sse/core';
import { openRawSse, serveNodeSse, sleep, type NodeSseServer } from '@sse/test-kit';
import { createClient } from 'redis';
import { redisBackplane, redisBroker } from './index';
import { startOwnRedis, type OwnRedis } from './redis-test-helpers.test-helper';

// Found by abuse tests on the first redisBackplane. These tests flush scripts and stop Redis:
// they run on a redis-server of this file's own.
let redis: OwnRedis;
let admin: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startOwnRedis();
  admin = createClient({ url: redis.url });
  admin.on('error', () => {});
  await admin.connect();
});
afterAll(async () => {
  await admin.close();
  await redis.stop();
});

let down = false;
const stopRedis = async () => {
  down = true;
  await redis.stop();
};
const startRedis = async () => {
  await redis.start();
  down = false;
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (down) await startRedis();
  await admin.sendCommand(['FLUSHALL']);
});

/** The two kinds of backplane, each on connections of its own. */
const kinds: [string, (key: string) => Backplane][] = [
  [
    'redisBroker',
    (key) => {
      const broker = redisBroker({ url: redis.url, onError: () => {} });
      cleanups.push(() => broker.close());
      return broker.backplane(key);
    },
  ],
  [
    'redisBackplane',
    (key) => {
      const plane = redisBackplane({ url: redis.url, key, onError: () => {} });
      cleanups.push(async () => plane.close?.());
      return plane;
    },
  ],
];

const message = (data: string) => ({ data, serialized: false });

describe.each(kinds)('%s', (_name, backplaneFor) => {
  it('answers a Last-Event-ID Redis cannot parse with the gap event and every event kept', async () => {
    const errors: unknown[] = [];
    const channel: Channel = createChannel({ backplane: backplaneFor('parse') });
    const server: NodeSseServer = await serveNodeSse(
      { heartbeat: false, onError: (error) => errors.push(error) },
      (stream) => void channel.subscribe(stream),
    );
    cleanups.push(async () => {
      channel.close();
      await server.close();
    });
    await channel.publish('kept');

    for (const id of [
      '99999999999999999999999999-0',
      '18446744073709551615-18446744073709551615',
      'abc',
    ]) {
      const client = await openRawSse(server.url, { headers: { 'last-event-id': id } });
      const [gap, kept] = await client.waitForEvents(2);
      client.close();
      expect(gap!.event).toBe('sse-gap');
      expect(JSON.parse(gap!.data)).toMatchObject({ lastEventId: id });
      expect(kept!.data).toBe('kept');
    }
    expect(errors).toEqual([]);
  });

  it('gives one publisher’s events ids in call order across SCRIPT FLUSH', async () => {
    const plane = backplaneFor('flush');
    const calls: Promise<string>[] = [];
    for (let round = 0; round < 20; round++) {
      void admin.sendCommand(['SCRIPT', 'FLUSH']);
      for (let n = 0; n < 10; n++) calls.push(plane.append(message(`${round}.${n}`)));
      // Later publishes are issued while the earlier ones are answered.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ids = await Promise.all(calls);

    expect(isIncreasing(ids)).toBe(true);
  });

  it('gives one publisher’s events ids in call order across a Redis restart', async () => {
    const plane = backplaneFor('restart');
    const calls: Promise<string | undefined>[] = [];
    const publish = (n: number) => calls.push(plane.append(message(`${n}`)).catch(() => undefined));
    for (let n = 0; n < 20; n++) publish(n);
    await stopRedis();
    for (let n = 20; n < 40; n++) publish(n);
    await startRedis();
    for (let n = 40; n < 200; n++) {
      publish(n);
      if (n % 10 === 0) await sleep(5);
    }
    const ids = (await Promise.all(calls)).filter((id): id is string => id !== undefined);

    expect(ids.length).toBeGreaterThan(100);
    expect(isIncreasing(ids)).toBe(true);
  });

  it('prints no MaxListenersExceededWarning while publishes wait out an outage', async () => {
    const plane = backplaneFor('listeners');
    await plane.append(message('up'));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    cleanups.push(() => Promise.resolve(process.off('warning', onWarning)));
    await stopRedis();

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, n) => plane.append(message(`${n}`))),
    );
    await plane.readAfter('0-0').catch(() => undefined);

    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual(
      [],
    );
  });
});

function isIncreasing(ids: readonly string[]): boolean {
  return ids.every((id, i) => i === 0 || compareEventIds(ids[i - 1]!, id)! < 0);
}
