import { describe, expectTypeOf, it } from 'vitest';
import { createChannel, type Channel, type ChannelEvent, type ChannelStats } from './channel';
import type { SseStream } from './stream';

interface ChatEvents {
  message: { text: string };
  join: { user: string };
  typing: boolean;
}

declare const stream: SseStream;

describe('createChannel types', () => {
  it('types publish by the event map', () => {
    const chat = createChannel<ChatEvents>();
    expectTypeOf(chat).toEqualTypeOf<Channel<ChatEvents>>();
    expectTypeOf(chat.publish({ text: 'hi' })).toEqualTypeOf<Promise<string>>();
    void chat.publish({ user: 'ada' }, { event: 'join' });
    void chat.publish(true, { event: 'typing', id: '42' });

    // @ts-expect-error a join payload is not a message payload
    void chat.publish({ user: 'ada' });
    // @ts-expect-error the payload must match the named event
    void chat.publish({ text: 'hi' }, { event: 'join' });
    // @ts-expect-error typing carries a boolean
    void chat.publish('yes', { event: 'typing' });
    // @ts-expect-error the event name must exist in the map
    void chat.publish({ text: 'hi' }, { event: 'leave' });
  });

  it('requires an event name when the map has no message event', () => {
    const presence = createChannel<{ join: { user: string } }>();
    void presence.publish({ user: 'ada' }, { event: 'join' });
    // @ts-expect-error there is no unnamed (message) event in this map
    void presence.publish({ user: 'ada' });
  });

  it('gives filters a discriminated union of the events', () => {
    const chat = createChannel<ChatEvents>();
    chat.subscribe(stream, {
      filter: (event) => {
        expectTypeOf(event).toEqualTypeOf<ChannelEvent<ChatEvents>>();
        expectTypeOf(event.event).toEqualTypeOf<'message' | 'join' | 'typing'>();
        expectTypeOf(event.id).toBeString();
        if (event.event === 'join') expectTypeOf(event.data).toEqualTypeOf<{ user: string }>();
        if (event.event === 'typing') expectTypeOf(event.data).toEqualTypeOf<boolean>();
        if (event.event === 'message') return event.data.text.length > 0;
        return true;
      },
    });
    chat.subscribe(stream, {
      // @ts-expect-error a filter returns a boolean
      filter: () => 'yes',
    });
  });

  it('accepts anything on an untyped channel', () => {
    const loose = createChannel();
    void loose.publish({ any: 'thing' });
    void loose.publish('text', { event: 'whatever' });
    expectTypeOf(loose.subscribe(stream)).toEqualTypeOf<() => void>();
    expectTypeOf(loose.stats()).toEqualTypeOf<ChannelStats>();
    expectTypeOf(loose.size).toBeNumber();
  });
});
