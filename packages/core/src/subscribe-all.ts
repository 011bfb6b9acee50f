import type { BackplaneEvent, BackplaneReadResult } from './backplane';
import { compareEventIds, parseEventId } from './event-id';
import { flushOpenBatch } from './fan-out-batch';
import { formatEvent } from './framing';
import type { SseSubscribable } from './handler';
import { isReplaySource, openReplay, type ReplayHandle } from './replay-handle';
import type { SseStream } from './stream';

/** Options of `subscribeAll`. */
export interface SubscribeAllOptions {
  /** Replay what came after this id; defaults to the stream's `lastEventId`. */
  lastEventId?: string | undefined;
}

/**
 * Subscribes one stream to several channels as if they were one. The client's single
 * `Last-Event-ID` resumes all of them: their histories after it are replayed merged in id
 * order, preceded by one gap event at most (when any channel lost events, with the oldest id
 * retained by any), then live events, with no gap and no duplicate in between. The adapters'
 * `channel: [a, b]` option does this.
 *
 * Channels created by `createChannel` are merged; any other subscribable is subscribed on its
 * own with `subscribe(stream)`. Returns the function that unsubscribes from every channel.
 */
export function subscribeAll(
  stream: SseStream,
  channels: readonly SseSubscribable[],
  options: SubscribeAllOptions = {},
): () => void {
  const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
  const stops: (() => void)[] = [];
  const handles: ReplayHandle[] = [];
  try {
    for (const channel of new Set(channels)) {
      // Without a last id there is nothing to replay: live events already arrive in order.
      const handle =
        lastEventId !== undefined && isReplaySource(channel)
          ? channel[openReplay](stream, lastEventId)
          : undefined;
      if (handle) handles.push(handle);
      stops.push(handle ? handle.unsubscribe : channel.subscribe(stream));
    }
  } catch (error) {
    // A closed channel in the list: the ones subscribed so far must not hold events forever.
    for (const stop of stops) stop();
    throw error;
  }
  if (lastEventId !== undefined && handles.length > 0) {
    void replayMerged(stream, lastEventId, handles);
  }
  return () => {
    for (const stop of stops) stop();
  };
}

/** One channel of the list, once its history is read. */
interface Replayed {
  readonly handle: ReplayHandle;
  readonly result: BackplaneReadResult;
  /** Its history, then the live events held back meanwhile: all in order, none twice. */
  readonly events: BackplaneEvent[];
}

async function replayMerged(
  stream: SseStream,
  lastEventId: string,
  handles: readonly ReplayHandle[],
): Promise<void> {
  let results: BackplaneReadResult[];
  try {
    results = await Promise.all(handles.map((handle) => handle.read()));
  } catch (error) {
    stream.fail(error);
    return;
  }
  if (stream.closed) return;
  // Every event published until now is in a history read, a held-back queue, or both.
  flushOpenBatch();
  const active: Replayed[] = [];
  handles.forEach((handle, i) => {
    const queued = handle.goLive();
    const result = results[i]!;
    // `undefined`: unsubscribed meanwhile.
    if (queued) active.push({ handle, result, events: withoutOverlap(result.events, queued) });
  });
  const gapped = active.find(({ handle, result }) => result.gap && handle.gapEvent !== false);
  if (gapped?.handle.gapEvent) {
    const oldestId = oldestOf(active.map(({ result }) => result.oldestId));
    stream.writeFrame(
      formatEvent({ event: gapped.handle.gapEvent, data: { lastEventId, oldestId } }),
    );
  }
  mergeInIdOrder(
    active.map(({ events }) => events),
    (event, source) => active[source]!.handle.deliver(event),
  );
}

/**
 * One channel's history followed by the live events held back while it was read. Events
 * published between subscribing and reading are in both: the end of the history and the start
 * of the queue, so the queue is skipped up to the last replayed id.
 */
function withoutOverlap(
  history: readonly BackplaneEvent[],
  queued: readonly BackplaneEvent[],
): BackplaneEvent[] {
  const last = history.at(-1)?.id;
  const overlap = last === undefined ? -1 : queued.findIndex((event) => event.id === last);
  return [...history, ...queued.slice(overlap + 1)];
}

/**
 * Visits the events of several sequences, each already in order, in id order. An event whose
 * id is not `<ms>-<seq>` (a publisher's own) cannot be compared: it goes right after the event
 * before it in its own sequence.
 */
function mergeInIdOrder(
  sequences: readonly (readonly BackplaneEvent[])[],
  visit: (event: BackplaneEvent, source: number) => void,
): void {
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
    if (pick === -1) return;
    const event = sequences[pick]![next[pick]!]!;
    next[pick] = next[pick]! + 1;
    visit(event, pick);
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
