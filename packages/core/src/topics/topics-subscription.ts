import type { SseOpenRequest, SseSubscribable } from '../adapter/channels';
import type { BackplaneEvent } from '../backplane';
import type { Channel } from '../channel-types';
import {
  cursorFrame,
  openReplay,
  replayInOrder,
  type FrameWriter,
  type ReplayHandle,
  type ReplayRead,
  type ReplaySource,
} from '../replay';
import { formatEvent } from '../framing';
import { isOrdered } from '../ordered-events';
import type { SseStream } from '../stream';
import {
  decodeTopicsCursor,
  eventPart,
  idOfPart,
  joinCursor,
  NO_POSITION,
  positionPart,
} from './topics-cursor';

/** A topic's channel as the hub makes it: a channel of this package. */
export type TopicChannel = Channel<never> & ReplaySource;

/**
 * The subscribable `hub.topics(names)` returns. One topic is a plain subscription (its own
 * ids). Several are replayed and followed as one stream whose event ids are cursors holding a
 * position per topic (topics-cursor.ts), so one `Last-Event-ID` resumes each topic exactly;
 * once live, an event whose id this process assigned goes with that id instead (see
 * `TopicsCursor.writeEvent`).
 */
export class TopicsSubscription implements SseSubscribable {
  constructor(
    private readonly names: readonly string[],
    private readonly open: (name: string) => TopicChannel,
    private readonly check?: (lastEventId: string | undefined) => void | Promise<void>,
  ) {}

  beforeOpen(request: SseOpenRequest): void | Promise<void> {
    return this.check?.(request.lastEventId);
  }

  subscribe(stream: SseStream<object>): () => void {
    const channels = this.names.map(this.open);
    if (channels.length === 1) return channels[0]!.subscribe(stream);
    return new TopicsCursor(stream, channels).start();
  }
}

/**
 * One stream following several topics, with its position in each, kept as its cursor part.
 * It writes each topic's events itself (as that topic's slot): nothing per subscription
 * beyond the subscriber, as a stream's frame is built per event and subscriber.
 */
class TopicsCursor implements FrameWriter {
  private readonly parts: string[];
  private readonly resumed: boolean;
  private readonly handles: ReplayHandle[] = [];
  private wroteEvent = false;
  private pendingReads: number;
  /** Replayed and live: every event of every topic reaches the stream in publish order. */
  private live = false;
  /** The last event id written as is, while no cursor was written after it. */
  private plainId: string | undefined;

  constructor(
    private readonly stream: SseStream<object>,
    private readonly channels: readonly TopicChannel[],
  ) {
    const lastEventId = stream.lastEventId;
    const decoded =
      lastEventId === undefined ? undefined : decodeTopicsCursor(lastEventId, channels.length);
    this.resumed = decoded !== undefined;
    // A plain id (from a single-topic stream, or an older cursor) is placed in every topic by
    // order, as for a list of channels; no id at all starts at each topic's current position.
    this.parts = (decoded ?? channels.map(() => lastEventId)).map(positionPart);
    this.pendingReads = channels.length;
  }

  start(): () => void {
    const stop = () => {
      for (const handle of this.handles) handle.unsubscribe();
    };
    try {
      this.channels.forEach((channel, i) => {
        const handle = channel[openReplay](
          this.stream,
          idOfPart(this.parts[i]!),
          undefined,
          this,
          i,
        );
        if (handle) this.handles.push(this.recordingPosition(handle, i));
      });
    } catch (error) {
      stop();
      throw error;
    }
    if (this.handles.length === this.channels.length) {
      void replayInOrder(this.stream, this.stream.lastEventId, this.handles).then(() => {
        this.live = !this.stream.closed;
      });
    }
    return stop;
  }

  /** Learns where each topic starts; once all are known, gives the client its cursor. */
  private recordingPosition(handle: ReplayHandle, index: number): ReplayHandle {
    const read = (): Promise<ReplayRead> =>
      handle.read().then((result) => {
        if (this.parts[index] === NO_POSITION) this.parts[index] = positionPart(result.from);
        if (--this.pendingReads === 0 && !this.resumed && !this.wroteEvent) {
          this.stream.writeFrame(cursorFrame(joinCursor(this.parts)));
        }
        return result;
      });
    return { ...handle, read };
  }

  /**
   * Writes an event of topic `slot`. Once live, an event whose id this process assigned is
   * written with that id, in the frame every subscriber of its topic shares: the stream has
   * every event published before it, of every topic, and such an id placed in any topic's
   * history (by publish order, see memoryBackplane) resumes it exactly.
   *
   * Any other event (replayed, from Redis, with a publisher's own id) gets the stream's
   * cursor as its id. Written as text: the node transport hands it to the socket as is, where
   * a frame of bytes of its own per subscriber would cost an allocation and a copy.
   */
  writeEvent(slot: number, event: BackplaneEvent, frame: Uint8Array): boolean {
    this.wroteEvent = true;
    if (this.live && orderedEvent(event)) {
      this.plainId = event.id;
      return this.stream.writeFrame(frame);
    }
    if (this.plainId !== undefined) {
      // After an id written as is, every topic stands at it.
      this.parts.fill(positionPart(this.plainId));
      this.plainId = undefined;
    }
    this.parts[slot] = eventPart(event.id);
    return this.stream.writeFrame(`id: ${joinCursor(this.parts)}\n${bodyText(event)}`);
  }
}

// The subscribers of one topic get the same event one after another: look it up once.
let lastChecked: BackplaneEvent | undefined;
let lastOrdered = false;

function orderedEvent(event: BackplaneEvent): boolean {
  if (event !== lastChecked) {
    lastChecked = event;
    lastOrdered = isOrdered(event);
  }
  return lastOrdered;
}

// The subscribers of one topic get the same event one after another: frame it once.
let lastEvent: BackplaneEvent | undefined;
let lastBody = '';

/** An event's frame without an id line. */
function bodyText(event: BackplaneEvent): string {
  if (event !== lastEvent) {
    lastEvent = event;
    lastBody = formatEvent({ event: event.event, data: event.data });
  }
  return lastBody;
}
