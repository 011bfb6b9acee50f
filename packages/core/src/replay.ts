import type { BackplaneEvent, BackplaneReadResult } from './backplane';
import { compareEventIds, parseEventId } from './event-id';
import { formatEvent } from './framing';
import type { SseStream } from './stream';
import { writeHeldFrames } from './write-order';

/**
 * @internal The key of the method by which a channel subscribes a stream with its live events
 * held back, so that `subscribeAll` can replay several channels as one sequence. A
 * `Symbol.for` key: a channel of the ESM build and one of the CJS build still merge.
 */
export const openReplay: unique symbol = Symbol.for('@sse/core/open-replay') as never;

/** @internal The key of the method that tells a channel's current position (its newest id). */
export const readCursor: unique symbol = Symbol.for('@sse/core/read-cursor') as never;

/** @internal The key of the method that subscribes a stream live, without sending its cursor. */
export const subscribeLive: unique symbol = Symbol.for('@sse/core/subscribe-live') as never;

/** @internal One stream subscribed to one channel, its live events held back until `goLive`. */
export interface ReplayHandle {
  /** The channel's gap event name; `false` sends none. */
  readonly gapEvent: string | false;
  /**
   * The channel's retained events after the stream's last id, and `from`: that id, or, for a
   * stream with none, the channel's position when read (nothing is replayed then).
   */
  read(): Promise<ReplayRead>;
  /**
   * Writes one event of this channel to the stream (counted in the channel's stats); `false`
   * when the client is behind and the replay should wait for `stream.whenDrained()`.
   */
  deliver(event: BackplaneEvent): boolean;
  /**
   * The live events held back since the last call, oldest first (they stay held back).
   * `undefined` when the stream is no longer subscribed.
   */
  takeQueued(): BackplaneEvent[] | undefined;
  /**
   * Stops holding live events back, if none is waiting: from then on they go straight to the
   * stream, except a late live copy of `after` or of an event before it (a live feed may
   * trail the history read). Returns `false` (and changes nothing) while some are waiting.
   */
  goLive(after?: string): boolean;
  /** Removes the subscriber. */
  unsubscribe: () => void;
}

/** @internal What a replay handle read. */
export interface ReplayRead extends BackplaneReadResult {
  readonly from: string | undefined;
}

/**
 * @internal Writes a subscriber's events in place of `stream.writeFrame`: a hub's topics
 * cursor, which follows several channels, each as a numbered `slot`.
 */
export interface FrameWriter {
  /** Writes an event of channel `slot`; `false` when the client is behind. */
  writeEvent(slot: number, event: BackplaneEvent, frame: Uint8Array): boolean;
}

/** @internal A channel that can be replayed together with others (see `subscribeAll`). */
export interface ReplaySource {
  /**
   * Subscribes `stream` with live events held back until the replay after `lastEventId`
   * (`undefined`: after the channel's current position, replaying nothing) goes live.
   * `writer`, when given, writes each of this subscriber's events (as channel `slot`) instead
   * of the stream.
   */
  [openReplay](
    stream: SseStream<object>,
    lastEventId: string | undefined,
    filter?: (event: never) => boolean,
    writer?: FrameWriter,
    slot?: number,
  ): ReplayHandle | undefined;
  /**
   * The id a new subscriber resumes from if it reconnects before any event reaches it: the
   * newest id of the channel (`null` when the backplane cannot tell).
   */
  [readCursor](): string | null | Promise<string | null>;
  [subscribeLive](stream: SseStream<object>): () => void;
}

/** @internal Whether `value` is a channel of this package (of either build). */
export function isReplaySource(value: unknown): value is ReplaySource {
  return typeof (value as Partial<ReplaySource> | null)?.[openReplay] === 'function';
}

/** The frame that sets a client's last event id without firing an event (no data). */
export function cursorFrame(id: string): string {
  return formatEvent({ id });
}

/** The newest of several positions (by order where they compare, else the last given). */
export function newestOf(ids: readonly string[]): string | undefined {
  let newest: string | undefined;
  for (const id of ids) {
    if (newest === undefined || (compareEventIds(id, newest) ?? 1) > 0) newest = id;
  }
  return newest;
}

/**
 * Replays what `stream` missed after `lastEventId` from one or more channels, merged in id
 * order, then lets their live events through, with no gap and no duplicate in between.
 *
 * The replay honours backpressure: it waits for the client to drain between events, so a
 * history larger than the client's buffer budget never gets it closed as slow (it would
 * reconnect with the same id and be cut off again). Live events stay held back meanwhile and
 * are replayed too, until none is waiting.
 */
export async function replayInOrder(
  stream: SseStream<object>,
  lastEventId: string | undefined,
  handles: readonly ReplayHandle[],
): Promise<void> {
  let results: ReplayRead[];
  try {
    results = await Promise.all(handles.map((handle) => handle.read()));
  } catch (error) {
    stream.fail(error);
    return;
  }
  if (stream.closed) return;
  // Every event published until now is in a history read, a held-back queue, or both.
  writeHeldFrames();
  let sequences = handles.map((handle, i) =>
    withoutOverlap(results[i]!.events, handle.takeQueued() ?? [], results[i]!.from),
  );
  const gapped = handles.findIndex((handle, i) => results[i]!.gap && handle.gapEvent !== false);
  const gapEvent = handles[gapped]?.gapEvent;
  if (gapEvent) {
    const oldestId = oldestOf(results.map((result) => result.oldestId));
    stream.writeFrame(formatEvent({ event: gapEvent, data: { lastEventId, oldestId } }));
  }
  // The last id each channel gave the stream: a live feed that trails its history (Redis
  // pub/sub behind a stream read) may still queue events already replayed, on any round.
  const delivered = results.map((result) => result.events.at(-1)?.id ?? result.from);
  for (;;) {
    for (const [event, source] of mergeInIdOrder(sequences)) {
      if (stream.closed) return;
      delivered[source] = event.id;
      if (!handles[source]!.deliver(event)) await stream.whenDrained();
    }
    if (stream.closed) return;
    writeHeldFrames();
    sequences = handles.map((handle, i) =>
      withoutOverlap([], handle.takeQueued() ?? [], delivered[i]),
    );
    // No await between the last take and going live: nothing can slip in between.
    if (sequences.every((events) => events.length === 0)) {
      handles.forEach((handle, i) => handle.goLive(delivered[i]));
      return;
    }
  }
}

/**
 * One channel's history followed by the live events held back while it was read. Events
 * published between subscribing and reading are in both: the end of the history and the start
 * of the queue, so the queue is skipped up to the last replayed id. A backplane whose live feed
 * trails its history (a Redis stream's tail) may also queue events the client had before it
 * reconnected: those are not after `lastEventId` (when ids compare) and are dropped too.
 */
function withoutOverlap(
  history: readonly BackplaneEvent[],
  queued: readonly BackplaneEvent[],
  from: string | undefined,
): BackplaneEvent[] {
  const last = history.at(-1)?.id ?? from;
  if (last === undefined) return [...queued];
  const overlap = queued.findIndex((event) => event.id === last);
  const rest = queued.slice(overlap + 1);
  const fresh = rest.filter((event) => (compareEventIds(event.id, last) ?? 1) > 0);
  return [...history, ...fresh];
}

/**
 * The events of several sequences, each already in order, in id order, with the index of the
 * sequence each came from. An event whose id is not `<ms>-<seq>` (a publisher's own) cannot be
 * compared: it goes right after the event before it in its own sequence.
 */
function mergeInIdOrder(
  sequences: readonly (readonly BackplaneEvent[])[],
): [BackplaneEvent, number][] {
  if (sequences.length === 1) return sequences[0]!.map((event) => [event, 0]);
  const merged: [BackplaneEvent, number][] = [];
  const next = sequences.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let source = 0; source < sequences.length; source++) {
      const event = sequences[source]![next[source]!];
      if (event === undefined) continue;
      if (!parseEventId(event.id)) {
        pick = source;
        break;
      }
      if (pick === -1 || compareEventIds(event.id, sequences[pick]![next[pick]!]!.id)! < 0) {
        pick = source;
      }
    }
    if (pick === -1) return merged;
    merged.push([sequences[pick]![next[pick]!]!, pick]);
    next[pick] = next[pick]! + 1;
  }
}

/** The oldest of several ids (by order where comparable, else the first given). */
function oldestOf(ids: readonly (string | null)[]): string | null {
  let oldest: string | null = null;
  for (const id of ids) {
    if (id === null) continue;
    if (oldest === null || (compareEventIds(id, oldest) ?? 0) < 0) oldest = id;
  }
  return oldest;
}
