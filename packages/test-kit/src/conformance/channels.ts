import { describe, expect, it } from 'vitest';
import { createChannel } from '@sse/core';
import { waitUntil } from '../wait';
import type { ConformanceHarness } from './harness';
import type { SseTargetChannel } from './target';

/** The `channel` option: one channel, a list, or a function returning them. */
export function describeChannels(harness: ConformanceHarness): void {
  describe('channel option', () => {
    it('subscribes the stream to one channel', async () => {
      const channel = createChannel();
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = harness.eventSource(server.url);
      await client.opened;
      await waitUntil(() => channel.size === 1, 'the stream is subscribed');
      const id = await channel.publish({ n: 1 });
      expect(await client.waitFor(1)).toEqual([
        { type: 'message', data: '{"n":1}', lastEventId: id },
      ]);
    });

    it('subscribes the stream to every channel of a list', async () => {
      const news = createChannel();
      const alerts = createChannel();
      const server = await harness.start({
        options: { channel: [news, alerts], heartbeat: false },
      });
      const client = harness.eventSource(server.url, ['news', 'alert']);
      await client.opened;
      await waitUntil(
        () => news.size === 1 && alerts.size === 1,
        'the stream is subscribed to both',
      );
      await news.publish('headline', { event: 'news' });
      await client.waitFor(1);
      await alerts.publish('fire', { event: 'alert' });
      const received = await client.waitFor(2);
      expect(received.map(({ type, data }) => ({ type, data }))).toEqual([
        { type: 'news', data: 'headline' },
        { type: 'alert', data: 'fire' },
      ]);
    });

    it('resolves a channel function (possibly async) for each request', async () => {
      const channel = createChannel();
      let calls = 0;
      const choose: SseTargetChannel = async () => {
        calls++;
        await Promise.resolve();
        return [channel];
      };
      const server = await harness.start({ options: { channel: choose, heartbeat: false } });
      const first = harness.eventSource(server.url);
      const second = harness.eventSource(server.url);
      await Promise.all([first.opened, second.opened]);
      await waitUntil(() => channel.size === 2, 'both streams are subscribed');
      await channel.publish('to both');
      expect((await first.waitFor(1))[0]!.data).toBe('to both');
      expect((await second.waitFor(1))[0]!.data).toBe('to both');
      expect(calls).toBe(2);
    });
  });
}
