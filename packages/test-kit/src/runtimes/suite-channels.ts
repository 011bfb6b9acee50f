import { describe, expect, it } from 'vitest';
import { waitUntil } from '../wait';
import type { FixtureStats } from './fixture-app';
import type { FixtureClient } from './fixture-client';
import type { RuntimeContext } from './suite';

const HEARTBEAT_MS = 200;
// A client that leaves is noticed at the latest by the next heartbeat's write (workerd tells a
// Worker of a gone client only when a write fails): a heartbeat and its tick, plus slack.
const CLEANUP_BUDGET_MS = HEARTBEAT_MS * 1.25 + 1500;
const PAYLOAD_BYTES = 16 * 1024;
const BURST = 1024;

/** Polls the runtime's stats until `check` holds. */
async function statsUntil(
  fixture: FixtureClient,
  channels: readonly string[],
  tag: string | undefined,
  check: (stats: FixtureStats) => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<FixtureStats> {
  let last: FixtureStats | undefined;
  await waitUntil(
    async () => check((last = await fixture.stats(channels, tag))),
    `${what} (last stats: ${JSON.stringify(last)})`,
    timeoutMs,
    25,
  );
  return last!;
}

/** Replay, disconnect cleanup, slow clients and shutdown, with the channels in the runtime. */
export function describeRuntimeChannels(context: RuntimeContext): void {
  describe('replay', () => {
    it('replays what came after the Last-Event-ID header, then live events', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('replay');
      const published = await fixture.publishNumbers(channel, 1, 5);
      const client = await context.raw(fixture.events({ channel, heartbeat: context.quiet }), {
        headers: { 'Last-Event-ID': published[2]!.id },
      });
      await client.waitForEvents(2);
      published.push(...(await fixture.publishNumbers(channel, 6, 6)));
      const events = await client.waitForEvents(3);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(published.slice(3));
    });

    it('reads the id from the lastEventId query parameter', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('query');
      const published = await fixture.publishNumbers(channel, 1, 4);
      const url = fixture.events({
        channel,
        heartbeat: context.quiet,
        lastEventId: published[1]!.id,
      });
      const events = await (await context.raw(url)).waitForEvents(2);
      expect(events.map(({ id, data }) => ({ id, data }))).toEqual(published.slice(2));
    });

    it('sends the gap event first when the id is older than the history', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('gap');
      const published = await fixture.publishNumbers(channel, 1, 5, 2);
      const lastEventId = published[0]!.id;
      const client = context.eventSource(
        fixture.events({ channel, heartbeat: context.quiet, lastEventId }),
        ['sse-gap'],
      );
      const [gap, ...rest] = await client.waitFor(3);
      expect(gap).toEqual({
        type: 'sse-gap',
        data: JSON.stringify({ lastEventId, oldestId: published[3]!.id }),
        lastEventId: '',
      });
      expect(rest.map(({ lastEventId: id, data }) => ({ id, data }))).toEqual(published.slice(3));
    });

    it('resumes a list of channels after a real EventSource reconnects', async () => {
      const fixture = context.fixture();
      const channels = [fixture.unique('list'), fixture.unique('list')];
      const tag = fixture.unique('tag');
      const client = context.eventSource(
        fixture.events({ channel: channels.join(','), heartbeat: context.quiet, retry: 50, tag }),
      );
      await client.opened;
      await statsUntil(fixture, channels, tag, (s) => s.sizes.every((n) => n === 1), 'subscribed');
      const publishAlternately = async (from: number, to: number) => {
        const published: { id: string; data: string }[] = [];
        for (let n = from; n <= to; n++) {
          const data = `event ${n}`;
          published.push({ id: (await fixture.publish(channels[n % 2]!, data))[0]!, data });
        }
        return published;
      };
      const published = await publishAlternately(1, 4);
      await client.waitFor(4);

      await fixture.end(tag);
      await statsUntil(fixture, channels, tag, (s) => s.sizes.every((n) => n === 0), 'closed');
      published.push(...(await publishAlternately(5, 10)));
      await client.waitFor(10, 10_000);
      published.push(...(await publishAlternately(11, 12)));
      const received = await client.waitFor(12, 10_000);
      expect(received.map(({ lastEventId, data }) => ({ id: lastEventId, data }))).toEqual(
        published,
      );
    });
  });

  describe('disconnect cleanup', () => {
    it('aborts the signal, closes with "client" and leaves every channel', async () => {
      const fixture = context.fixture();
      const channels = [fixture.unique('leave'), fixture.unique('leave')];
      const tag = fixture.unique('tag');
      const client = await context.raw(
        fixture.events({ channel: channels.join(','), heartbeat: HEARTBEAT_MS, tag }),
      );
      await statsUntil(fixture, channels, tag, (s) => s.sizes.every((n) => n === 1), 'open');
      client.close();
      const stats = await statsUntil(
        fixture,
        channels,
        tag,
        (s) => s.sizes.every((n) => n === 0) && s.stream?.reason !== undefined,
        'every channel drops the client',
        CLEANUP_BUDGET_MS,
      );
      expect(stats.stream).toMatchObject({ reason: 'client', aborted: true });
    });

    it('keeps serving the other clients when one leaves', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('stay');
      const url = fixture.events({ channel, heartbeat: HEARTBEAT_MS });
      const leaving = context.eventSource(url);
      const staying = context.eventSource(url);
      await Promise.all([leaving.opened, staying.opened]);
      await statsUntil(fixture, [channel], undefined, (s) => s.sizes[0] === 2, 'both subscribed');
      leaving.close();
      await statsUntil(
        fixture,
        [channel],
        undefined,
        (s) => s.sizes[0] === 1,
        'the channel drops the client that left',
        CLEANUP_BUDGET_MS,
      );
      const [id] = await fixture.publish(channel, 'still here');
      expect(await staying.waitFor(1)).toEqual([
        { type: 'message', data: 'still here', lastEventId: id },
      ]);
    });
  });

  describe('slow client', () => {
    it('closes a client that stops reading as "slow"; a burst never cuts off one that reads', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('slow');
      const tags = [fixture.unique('slow'), fixture.unique('fast')];
      const query = { channel, heartbeat: context.quiet, maxBufferedBytes: 256 * 1024 };
      const slow = await context.raw(fixture.events({ ...query, tag: tags[0]! }));
      const fast = await context.raw(fixture.events({ ...query, tag: tags[1]! }));
      await statsUntil(fixture, [channel], undefined, (s) => s.sizes[0] === 2, 'both subscribed');
      slow.pause();
      // One burst, each publish awaited (16 MiB: more than loopback buffers hold).
      const ids = await fixture.publish(channel, '', { count: BURST, size: PAYLOAD_BYTES });
      const stats = await fixture.stats([channel], tags[0]);
      expect(stats.stream?.reason).toBe('slow');
      expect(stats).toMatchObject({ sizes: [1], closedSlow: 1 });
      await fast.waitForEvents(ids.length, 10_000);
      expect(fast.events.map((event) => event.id)).toEqual(ids);
      expect((await fixture.stats([], tags[1])).stream?.reason).toBeUndefined();
      slow.resume();
      await slow.ended;
    });
  });

  describe('shutdown', () => {
    it('channel.close() sends each subscriber a retry line, then ends its response', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('shutdown');
      const url = fixture.events({ channel, heartbeat: context.quiet });
      const clients = [await context.raw(url), await context.raw(url)];
      await statsUntil(fixture, [channel], undefined, (s) => s.sizes[0] === 2, 'subscribed');
      await fixture.publish(channel, 'last words');
      await Promise.all(clients.map((client) => client.waitForEvents(1)));
      await fixture.close(channel, 2000);
      await Promise.all(clients.map((client) => client.ended));
      for (const client of clients) {
        expect(client.retries).toHaveLength(1);
        expect(client.retries[0]).toBeGreaterThanOrEqual(1000);
        expect(client.retries[0]).toBeLessThanOrEqual(3000);
        expect(client.text()).toMatch(/retry: \d+\n\n$/);
      }
      expect((await fixture.stats([channel])).sizes).toEqual([0]);
    });

    it('ends the response when the server closes the stream', async () => {
      const fixture = context.fixture();
      const tag = fixture.unique('tag');
      const client = await context.raw(
        fixture.events({ heartbeat: context.quiet, script: 'bye', tag }),
      );
      await client.ended;
      expect(client.events.map((event) => event.data)).toEqual(['bye']);
      const { stream } = await fixture.stats([], tag);
      expect(stream).toMatchObject({ reason: 'server', aborted: true });
    });
  });
}
