import { describe, expectTypeOf, it } from 'vitest';
import type { SseSubscribable } from '../adapter/channels';
import type { Channel } from '../channel-types';
import { createHub } from './hub';
import type { HubStats } from './hub-types';

interface RoomEvents {
  message: { text: string };
  join: { user: string };
}

describe('createHub types', () => {
  it('types topics and publish by the event map', () => {
    const hub = createHub<RoomEvents>();
    expectTypeOf(hub.topic('room:1')).toEqualTypeOf<Channel<RoomEvents>>();
    expectTypeOf(hub.publish('room:1', { text: 'hi' })).toEqualTypeOf<Promise<string>>();
    void hub.publish('room:1', { user: 'ada' }, { event: 'join' });
    expectTypeOf(hub.topics(['a', 'b'])).toEqualTypeOf<SseSubscribable>();
    expectTypeOf(hub.topics(undefined)).toEqualTypeOf<SseSubscribable>();
    expectTypeOf(hub.stats()).toEqualTypeOf<HubStats>();

    // @ts-expect-error a join payload is not a message payload
    void hub.publish('room:1', { user: 'ada' });
    // @ts-expect-error the event name must exist in the map
    void hub.publish('room:1', { text: 'hi' }, { event: 'leave' });
  });
});
