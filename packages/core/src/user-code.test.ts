import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { SseFormatError } from './errors';
import type { SseCloseReason } from './stream';

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serveWithFilters(channel: Channel, filters: ((event: never) => boolean)[]) {
  const closed: { reason: SseCloseReason; error: unknown }[] = [];
  const reported: unknown[] = [];
  server = await serveNodeSse(
    { heartbeat: false, onError: (error) => reported.push(error) },
    (stream, req) => {
      const filter = filters[Number(new URL(req.url!, 'http://x').searchParams.get('f'))];
      stream.onClose((reason, error) => closed.push({ reason, error }));
      channel.subscribe(stream, { filter: filter as never, lastEventId: stream.lastEventId });
    },
  );
  return { closed, reported, url: server.url };
}

describe('user code on the publish path', () => {
  it('closes only the subscriber whose filter throws, and delivers to the others', async () => {
    const channel = createChannel();
    const boom = new Error('filter failed');
    const { closed, reported, url } = await serveWithFilters(channel, [
      () => {
        throw boom;
      },
      () => true,
    ]);
    const failing = await openRawSse(`${url}?f=0`);
    const healthy = await openRawSse(`${url}?f=1`);
    await waitUntil(() => channel.size === 2, 'both subscribed');
    await channel.publish('one');
    await channel.publish('two');
    expect((await healthy.waitForEvents(2)).map((event) => event.data)).toEqual(['one', 'two']);
    await failing.ended;
    expect(closed).toEqual([{ reason: 'error', error: boom }]);
    expect(reported).toEqual([boom]);
    expect(failing.events).toEqual([]);
    healthy.close();
    channel.close();
  });

  it('contains a deserializer that cannot read what the serializer wrote', async () => {
    const channel = createChannel({ serialize: (value) => `not json ${String(value)}` });
    const { closed, url } = await serveWithFilters(channel, [() => true, (e) => Boolean(e)]);
    const filtered = await openRawSse(`${url}?f=0`);
    const plain = await openRawSse(`${url}?f=2`);
    await waitUntil(() => channel.size === 2, 'both subscribed');
    await channel.publish(42);
    expect((await plain.waitForEvents(1))[0]!.data).toBe('not json 42');
    await filtered.ended;
    expect(closed.map((entry) => entry.reason)).toEqual(['error']);
    expect(closed[0]!.error).toBeInstanceOf(SyntaxError);
    plain.close();
    channel.close();
  });

  it('contains a filter that throws while history is replayed', async () => {
    const channel = createChannel();
    const first = await channel.publish('one');
    await channel.publish('two');
    const { closed, url } = await serveWithFilters(channel, [
      () => {
        throw new Error('replay filter failed');
      },
    ]);
    const client = await openRawSse(`${url}?f=0`, { headers: { 'last-event-id': first } });
    await client.ended;
    expect(closed.map((entry) => entry.reason)).toEqual(['error']);
    expect(client.events).toEqual([]);
    channel.close();
  });

  it('rejects undefined data alike in stream.send and channel.publish', async () => {
    const channel = createChannel();
    await expect(channel.publish(undefined)).rejects.toBeInstanceOf(SseFormatError);
    server = await serveNodeSse({ heartbeat: false }, async (stream) => {
      await expect(stream.send(undefined)).rejects.toBeInstanceOf(SseFormatError);
      await stream.send(null);
      stream.close();
    });
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events.map((event) => event.data)).toEqual(['null']);
    channel.close();
  });
});
