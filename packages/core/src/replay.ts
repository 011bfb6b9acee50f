import type { BackplaneEvent, BackplaneReadResult } from './backplane';
import { compareEventIds, parseEventId } from './event-id';
import { flushOpenBatch } from './fan-out-batch';
import { formatEvent } from './framing';
import type { ReplayHandle } from './replay-handle';
import type { SseStream } from './stream';

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
  let sequences = handles.map((handle, i) =>
    withoutOverlap(results[i]!.events, handle.takeQueued() ?? [], lastEventId),
  );
  const gapped = handles.findIndex((handle, i) => results[i]!.gap && handle.gapEvent !== false);
  const gapEvent = handles[gapped]?.gapEvent;
  if (gapEvent) {
    const oldestId = oldestOf(results.map((result) => result.oldestId));
    stream.writeFrame(formatEvent({ event: gapEvent, data: { lastEventId, oldestId } }));
  }
  for (;;) {
    for (const [event, source] of mergeInIdOrder(sequences)) {
      if (stream.closed) return;
      if (!handles[source]!.deliver(event)) await stream.writable();
    }
    if (stream.closed) return;
    flushOpenBatch();
    sequences = handles.map((handle) => handle.takeQueued() ?? []);
    // No await between the last take and going live: nothing can slip in between.
    if (sequences.every((events) => events.length === 0)) {
      for (const handle of handles) handle.goLive();
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
  lastEventId: string,
): BackplaneEvent[] {
  const last = history.at(-1)?.id ?? lastEventId;
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
