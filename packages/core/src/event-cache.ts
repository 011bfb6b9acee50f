import type { BackplaneEvent } from './backplane';
import { encodeText } from './bytes';
import type { ChannelEvent } from './channel-types';
import { formatEvent } from './framing';

/**
 * What a channel derives from each event once, for every subscriber and every replay: its
 * frame, encoded, and the decoded view its subscribers' filters see.
 */
export class EventCache<Events extends object> {
  private readonly frames = new WeakMap<BackplaneEvent, Uint8Array>();
  private readonly views = new WeakMap<BackplaneEvent, ChannelEvent<Events>>();

  constructor(private readonly deserialize: (text: string) => unknown) {}

  frameOf(event: BackplaneEvent): Uint8Array {
    let frame = this.frames.get(event);
    if (!frame) {
      frame = encodeText(formatEvent({ id: event.id, event: event.event, data: event.data }));
      this.frames.set(event, frame);
    }
    return frame;
  }

  /** The event as a filter sees it; throws what `deserialize` throws. */
  viewOf(event: BackplaneEvent): ChannelEvent<Events> {
    let view = this.views.get(event);
    if (!view) {
      const data = event.serialized ? this.deserialize(event.data) : event.data;
      view = { id: event.id, event: event.event ?? 'message', data } as ChannelEvent<Events>;
      this.views.set(event, view);
    }
    return view;
  }
}
