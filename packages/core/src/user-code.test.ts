import { useMemoryStreams } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { createChannel, type Channel, type ChannelSubscribeOptions } from './channel';
import { SseFormatError } from './errors';
import type { SseCloseReason } from './stream';

const open = useMemoryStreams();

/** Opens streams subscribed to `channel`, each with its own filter, and records how they close. */
function subscribers(channel: Channel) {
  const closed: { reason: SseCloseReason; error: unknown }[] = [];
  const reported: unknown[] = [];
  const subscribe = (
    filter?: ChannelSubscribeOptions<Record<string, unknown>>['filter'],
    lastEventId?: string,
  ) => {
    const memory = open({ heartbeat: false, lastEventId, onError: (e) => reported.push(e) });
    memory.stream.onClose((reason, error) => closed.push({ reason, error }));
    channel.subscribe(memory.stream, { filter, lastEventId: memory.stream.lastEventId });
    return memory.client;
  };
  return { closed, reported, subscribe };
}

describe('user code on the publish path', () => {
  it('closes only the subscriber whose filter throws, and delivers to the others', async () => {
    const channel = createChannel();
    const boom = new Error('filter failed');
    const { closed, reported, subscribe } = subscribers(channel);
    const failing = subscribe(() => {
      throw boom;
    });
    const healthy = subscribe(() => true);
    await channel.publish('one');
    await channel.publish('two');
    expect((await healthy.waitForEvents(2)).map((event) => event.data)).toEqual(['one', 'two']);
    await failing.ended;
    expect(closed).toEqual([{ reason: 'error', error: boom }]);
    expect(reported).toEqual([boom]);
    expect(failing.events).toEqual([]);
    channel.close();
  });

  it('contains a deserializer that cannot read what the serializer wrote', async () => {
    const channel = createChannel({ serialize: (value) => `not json ${String(value)}` });
    const { closed, subscribe } = subscribers(channel);
    const filtered = subscribe(() => true);
    const plain = subscribe();
    await channel.publish(42);
    expect((await plain.waitForEvents(1))[0]!.data).toBe('not json 42');
    await filtered.ended;
    expect(closed.map((entry) => entry.reason)).toEqual(['error']);
    expect(closed[0]!.error).toBeInstanceOf(SyntaxError);
    channel.close();
  });

  it('contains a filter that throws while history is replayed', async () => {
    const channel = createChannel();
    const first = await channel.publish('one');
    await channel.publish('two');
    const { closed, subscribe } = subscribers(channel);
    const client = subscribe(() => {
      throw new Error('replay filter failed');
    }, first);
    await client.ended;
    expect(closed.map((entry) => entry.reason)).toEqual(['error']);
    expect(client.events).toEqual([]);
    channel.close();
  });

  it('rejects undefined data alike in stream.send and channel.publish', async () => {
    const channel = createChannel();
    await expect(channel.publish(undefined)).rejects.toBeInstanceOf(SseFormatError);
    const { stream, client } = open({ heartbeat: false });
    await expect(stream.send(undefined)).rejects.toBeInstanceOf(SseFormatError);
    await stream.send(null);
    stream.close();
    await client.ended;
    expect(client.events.map((event) => event.data)).toEqual(['null']);
    channel.close();
  });
});
