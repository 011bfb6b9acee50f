import type { BackplaneEvent } from './backplane';
import type { ChannelEvent } from './channel-types';
import type { EventCache } from './event-cache';
import { compareEventIds } from './event-id';
import type { FrameWriter } from './replay';
import type { SseStream } from './stream';

/** One stream subscribed to a channel. */
export interface Subscriber {
  readonly stream: SseStream<object>;
  readonly filter: ((event: never) => boolean) | undefined;
  /** Writes each event in place of `stream.writeFrame` (a hub's topics cursor), as `slot`. */
  readonly writer: FrameWriter | undefined;
  readonly slot: number;
  /** Live events held back while history is replayed; `null` once live. */
  queue: BackplaneEvent[] | null;
  /** The last replayed id while a late live copy of it may still come; then `undefined`. */
  after: string | undefined;
  /** Stops watching the stream for its close. */
  unwatch: () => void;
}

/**
 * A channel's subscribers and what writing to them takes: one write of a batch per
 * subscriber, filters contained, and the subscribers a write left over their budget, which
 * `publish` waits for (pacing).
 */
export class Subscribers<Events extends object> {
  private readonly all = new Set<Subscriber>();
  private readonly lagging = new Set<SseStream<object>>();
  delivered = 0;
  closedSlow = 0;

  constructor(private readonly cache: EventCache<Events>) {}

  get size(): number {
    return this.all.size;
  }

  has(subscriber: Subscriber): boolean {
    return this.all.has(subscriber);
  }

  add(
    stream: SseStream<object>,
    filter: Subscriber['filter'],
    queued: boolean,
    writer: FrameWriter | undefined,
    slot: number,
  ): Subscriber {
    const subscriber: Subscriber = {
      stream,
      filter,
      writer,
      slot,
      queue: queued ? [] : null,
      after: undefined,
      unwatch,
    };
    this.all.add(subscriber);
    subscriber.unwatch = stream.onClose((reason) => {
      if (reason === 'slow') this.closedSlow++;
      this.forget(subscriber);
    });
    return subscriber;
  }

  remove(subscriber: Subscriber): void {
    subscriber.unwatch();
    this.forget(subscriber);
  }

  /** Every subscribed stream, and forgets them (for the channel's close). */
  takeStreams(): SseStream<object>[] {
    const streams = [...this.all].map((subscriber) => subscriber.stream);
    this.all.clear();
    this.lagging.clear();
    return streams;
  }

  /** Writes a batch of events: the frames joined once, one write per subscriber. */
  write(events: readonly BackplaneEvent[], frames: readonly Uint8Array[], joined: Uint8Array) {
    for (const subscriber of this.all) {
      if (subscriber.queue) {
        for (const event of events) subscriber.queue.push(event);
      } else if (subscriber.writer && !subscriber.filter && subscriber.after === undefined) {
        // A hub's topics cursor: a frame of its own per event (the commonest case of a hub).
        const { stream, writer, slot } = subscriber;
        if (stream.closed) continue;
        this.delivered += events.length;
        let below = true;
        for (let i = 0; i < events.length; i++) {
          below = writer.writeEvent(slot, events[i]!, frames[i]!) && below;
        }
        if (!below && stream.overBudget) this.lagging.add(stream);
      } else if (subscriber.filter || subscriber.writer || subscriber.after !== undefined) {
        for (let i = 0; i < events.length; i++) this.deliver(subscriber, events[i]!, frames[i]!);
      } else {
        const { stream } = subscriber;
        if (stream.closed) continue;
        this.delivered += events.length;
        if (!stream.writeFrame(joined) && stream.overBudget) this.lagging.add(stream);
      }
    }
  }

  /**
   * Writes one event to one subscriber; `false` when its client is behind. A filter that
   * throws closes that subscriber's stream with the error (reason `"error"`), never the others.
   */
  deliver(subscriber: Subscriber, event: BackplaneEvent, frame: Uint8Array): boolean {
    const { stream, filter } = subscriber;
    if (stream.closed) return false;
    if (subscriber.after !== undefined) {
      if (!isAfter(event.id, subscriber.after)) return true;
      subscriber.after = undefined;
    }
    if (filter) {
      let wanted: boolean;
      try {
        wanted = (filter as (e: ChannelEvent<Events>) => boolean)(this.cache.viewOf(event));
      } catch (error) {
        stream.fail(error);
        return false;
      }
      if (!wanted) return true;
    }
    this.delivered++;
    const { writer } = subscriber;
    if (writer ? writer.writeEvent(subscriber.slot, event, frame) : stream.writeFrame(frame)) {
      return true;
    }
    if (stream.overBudget) this.lagging.add(stream);
    return false;
  }

  /** Resolves with `id` once no subscriber a write left over its budget still is. */
  paced(id: string): string | Promise<string> {
    if (this.lagging.size === 0) return id;
    const waits: Promise<void>[] = [];
    for (const stream of this.lagging) {
      if (stream.overBudget) waits.push(stream.withinBudget());
      else this.lagging.delete(stream);
    }
    return waits.length === 0 ? id : Promise.all(waits).then(() => id);
  }

  private forget(subscriber: Subscriber): void {
    this.all.delete(subscriber);
    this.lagging.delete(subscriber.stream);
  }
}

function unwatch(): void {}

/** Whether `id` comes after `last` (ids that do not compare count as later, unless equal). */
function isAfter(id: string, last: string): boolean {
  return id !== last && (compareEventIds(id, last) ?? 1) > 0;
}
