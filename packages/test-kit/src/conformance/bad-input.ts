import { describe, expect, it } from 'vitest';
import { createChannel, SseFormatError, type SseSendOptions } from '@sse/core';
import { captureStreams, type ConformanceHarness } from './harness';

/** Sends that must be refused, each naming the offending field. */
const BAD_SENDS: { data: unknown; options: SseSendOptions; field: string }[] = [
  { data: 'bad-event-lf', options: { event: 'bad\nname' }, field: 'event' },
  { data: 'bad-event-cr', options: { event: 'bad\rname' }, field: 'event' },
  { data: 'bad-id-lf', options: { id: 'bad\nid' }, field: 'id' },
  { data: 'bad-id-nul', options: { id: 'bad\0id' }, field: 'id' },
  { data: 'bad-retry-negative', options: { retry: -1 }, field: 'retry' },
  { data: 'bad-retry-fraction', options: { retry: 1.5 }, field: 'retry' },
  { data: () => 'bad-data-function', options: {}, field: 'data' },
];

/** Bad input: a clear SseFormatError, nothing corrupt on the wire, the next event intact. */
export function describeBadInput(harness: ConformanceHarness): void {
  describe('bad input', () => {
    it('rejects send() with SseFormatError naming the field and writes nothing of it', async () => {
      const errors: unknown[] = [];
      const streams = captureStreams(async (stream) => {
        await stream.send('before', { event: 'ok' });
        for (const { data, options } of BAD_SENDS) {
          await stream.send(data, options).catch((error: unknown) => errors.push(error));
        }
        await stream.send('after\nall', { event: 'ok', id: 'good-1' });
      });
      const server = await harness.start({
        options: { heartbeat: false },
        handler: streams.handler,
      });
      const client = await harness.raw(server.url);
      const events = await client.waitForEvents(2);

      expect(events.map(({ event, id, data }) => ({ event, id, data }))).toEqual([
        { event: 'ok', id: undefined, data: 'before' },
        { event: 'ok', id: 'good-1', data: 'after\nall' },
      ]);
      expect(errors).toHaveLength(BAD_SENDS.length);
      errors.forEach((error, i) => {
        expect(error).toBeInstanceOf(SseFormatError);
        expect(error).toMatchObject({ code: 'ERR_SSE_FORMAT', field: BAD_SENDS[i]!.field });
      });
      expect(client.text()).not.toMatch(/bad/);
      expect(streams.opened[0]!.stream.closed).toBe(false);
    });

    it('rejects a bad publish() and delivers the next event intact', async () => {
      const channel = createChannel();
      const server = await harness.start({ options: { channel, heartbeat: false } });
      const client = harness.eventSource(server.url, ['ok']);
      await client.opened;
      await expect(channel.publish('bad', { event: 'two\nlines' })).rejects.toMatchObject({
        name: 'SseFormatError',
        field: 'event',
      });
      await expect(channel.publish('bad', { id: 'nul\0' })).rejects.toBeInstanceOf(SseFormatError);
      const id = await channel.publish({ fine: true }, { event: 'ok' });
      expect(await client.waitFor(1)).toEqual([
        { type: 'ok', data: '{"fine":true}', lastEventId: id },
      ]);
    });
  });
}
