import type {
  Backplane,
  BackplaneAppendInput,
  BackplaneEvent,
  BackplaneReadResult,
} from '../backplane';
import { compareEventIds, currentEventId, nextEventId } from '../event-id';
import { markOrdered } from '../ordered-events';

/**
 * A run's history in one process: every event, in order, kept whole (a run is finite) until
 * its `ttl`. Reads are in pages (`readAfter(id, limit)`) found by binary search, since a run's
 * ids are its own increasing sequence.
 */
export function runLog(): Backplane {
  const events: BackplaneEvent[] = [];
  const listeners = new Set<(event: BackplaneEvent) => void>();

  const store = (input: BackplaneAppendInput): string => {
    const event: BackplaneEvent = {
      id: input.id ?? nextEventId(),
      event: input.event,
      data: input.data,
      serialized: input.serialized,
    };
    if (input.id === undefined) markOrdered(event);
    events.push(event);
    for (const listener of listeners) listener(event);
    return event.id;
  };

  /** The index of the first event after `id`, and whether `id` is a gap (not of this run). */
  const after = (id: string): { start: number; gap: boolean } => {
    if (id === '0-0') return { start: 0, gap: false };
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareEventIds(events[middle]!.id, id);
      if (order === undefined) return exactly(id);
      if (order <= 0) low = middle + 1;
      else high = middle;
    }
    const found = low > 0 && events[low - 1]!.id === id;
    // An id before this run began was of something else (an earlier run of the name).
    const gap = !found && low === 0 && events.length > 0;
    return { start: low, gap };
  };

  const exactly = (id: string): { start: number; gap: boolean } => {
    const index = events.findIndex((event) => event.id === id);
    return index < 0 ? { start: 0, gap: true } : { start: index + 1, gap: false };
  };

  return {
    append: (input) => Promise.resolve(store(input)),
    appendMany: (inputs) => Promise.resolve(inputs.map(store)),
    readAfter(lastEventId, limit = Infinity): Promise<BackplaneReadResult> {
      const { start, gap } = after(lastEventId);
      const end = Math.min(events.length, start + limit);
      return Promise.resolve({
        events: events.slice(start, end),
        gap,
        oldestId: events[0]?.id ?? null,
      });
    },
    lastId: () => events.at(-1)?.id ?? currentEventId(),
    listen(listener) {
      const entry = (event: BackplaneEvent) => listener(event);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
