import { SseError } from './errors';
import {
  compareEventIds,
  currentEventId,
  nextEventId,
  parseEventId,
  processStartEventId,
} from './event-id';
import { markOrdered } from './ordered-events';

/** One stored event, as a backplane keeps and delivers it. */
export interface BackplaneEvent {
  /** The event id: assigned by the backplane unless the publisher gave one. */
  readonly id: string;
  /** The event name; absent for plain `message` events. */
  readonly event?: string | undefined;
  /** The payload as text, exactly as it goes on the wire. */
  readonly data: string;
  /** `true` when `data` came out of the serializer (an object), `false` for a string payload. */
  readonly serialized: boolean;
}

/** What a publisher hands to a backplane. */
export interface BackplaneAppendInput {
  readonly event?: string | undefined;
  readonly data: string;
  readonly serialized: boolean;
  /** An id chosen by the publisher; most backplanes assign one. */
  readonly id?: string | undefined;
}

/** The answer to "what came after this id?". */
export interface BackplaneReadResult {
  /** The retained events after the id, oldest first. */
  readonly events: readonly BackplaneEvent[];
  /** `true` when the id is older than the retained history or unknown: events may be missing. */
  readonly gap: boolean;
  /** The oldest retained id, or `null` when nothing is retained. */
  readonly oldestId: string | null;
}

/**
 * Where a channel's events are stored and how they travel: the in-memory default for one
 * process, `@sse/redis` for many. Every event appended (by any instance) reaches every
 * listener, in one order shared by all.
 */
export interface Backplane {
  /** Stores an event and resolves with its id. Listeners then receive it. */
  append(input: BackplaneAppendInput): Promise<string>;
  /**
   * The retained events after `lastEventId`, oldest first. With `limit`, a backplane may return
   * only the oldest `limit` of them, so a long history is read in pages (a run's replay reads
   * after the last event of each page until a page is short); one that ignores it returns all.
   */
  readAfter(lastEventId: string, limit?: number): Promise<BackplaneReadResult>;
  /**
   * Stores several events, in order, in as few round trips as it can; resolves with their ids.
   * Optional: a run appends its batched events with it when present, else one by one.
   */
  appendMany?(inputs: readonly BackplaneAppendInput[]): Promise<string[]>;
  /**
   * The id a client resumes from when it has seen nothing yet: the newest event's id, or any
   * id that `readAfter` places before every later event. A channel sends it to each new
   * subscriber as its cursor, so a client that reconnects before its first event still
   * resumes (or learns of a gap). `null` when there is none.
   */
  lastId?(): string | null | Promise<string | null>;
  /** Calls `listener` for every event appended from now on. Returns the function that stops it. */
  listen(listener: (event: BackplaneEvent) => void): () => void;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** Options of `memoryBackplane`. */
export interface MemoryBackplaneOptions {
  /**
   * How many of the most recent events are kept for replay.
   * @default 1000
   */
  history?: number;
}

/**
 * A backplane for one process: the last `history` events in a ring. Ids are shaped like Redis
 * stream ids, `<ms>-<seq>`, from one generator shared by the whole process, so they increase
 * across every channel and across restarts (see event-id.ts).
 *
 * `readAfter(id)` finds an id it holds exactly; an id of that shape it does not hold (another
 * channel's, or an earlier process's) is placed by order, and is a gap when it is older than
 * this process or than an event already evicted. A publisher's own id (`publish(data, { id })`)
 * is found only while that event is still retained; such an event also gets a place in the
 * process's order when published, so that an id of this process placed by order still finds it.
 */
export function memoryBackplane(options: MemoryBackplaneOptions = {}): Backplane {
  const capacity = options.history ?? 1000;
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `history must be a non-negative integer, got ${String(capacity)}`,
    );
  }
  // The ring grows (doubling) up to `capacity` as events arrive: a topic published once costs
  // a few slots, not `history` of them.
  let size = Math.min(capacity, 8);
  let ring: (BackplaneEvent | undefined)[] = new Array<BackplaneEvent | undefined>(size);
  // Sequence numbers are internal: they order events even when publishers choose their ids.
  const seqOfId = new Map<string, number>();
  const listeners = new Set<(event: BackplaneEvent) => void>();
  let nextSeq = 1;
  let lastEvictedId: string | undefined;
  // The newest evicted position in the process's order: any id before it may have lost events.
  let newestEvictedOrdered: string | undefined;
  // Where each retained event with a publisher's own id stands in the process's order, by seq.
  const placeOfChosen = new Map<number, string>();

  const oldestSeq = () => Math.max(1, nextSeq - capacity);
  const at = (seq: number) => ring[seq % size];
  const grow = () => {
    const grown = Math.min(capacity, size * 2);
    const nextRing = new Array<BackplaneEvent | undefined>(grown);
    for (let seq = oldestSeq(); seq < nextSeq; seq++) {
      nextRing[seq % grown] = ring[seq % size];
    }
    ring = nextRing;
    size = grown;
  };
  const evict = (id: string, seq: number) => {
    lastEvictedId = id;
    // Places only grow, so the last one evicted is the newest.
    newestEvictedOrdered = placeOfChosen.get(seq) ?? id;
    placeOfChosen.delete(seq);
  };
  /** Where the event at `seq` stands in the process's order. */
  const placeOf = (seq: number, event: BackplaneEvent) => placeOfChosen.get(seq) ?? event.id;

  /** The retained events after a position: the exact event, or an id placed by order. */
  const eventsAfter = (lastEventId: string, known: number | undefined): BackplaneEvent[] => {
    const events: BackplaneEvent[] = [];
    if (known !== undefined) {
      for (let seq = known + 1; seq < nextSeq; seq++) {
        const event = at(seq);
        if (event) events.push(event);
      }
      return events;
    }
    // Walk back from the newest to the first event not after the id: the cost is what is read.
    // An id this process could have assigned is placed by publish order; another by the ids.
    const byPlace = isOfThisProcess(lastEventId);
    const first = oldestSeq();
    for (let seq = nextSeq - 1; seq >= first; seq--) {
      const event = at(seq);
      if (!event) continue;
      const position = byPlace ? placeOf(seq, event) : event.id;
      if ((compareEventIds(position, lastEventId) ?? 1) <= 0) break;
      events.push(event);
    }
    return events.reverse();
  };

  return {
    append(input) {
      if (nextSeq > size && size < capacity) grow();
      const seq = nextSeq++;
      const id = input.id ?? nextEventId();
      const stored: BackplaneEvent = {
        id,
        event: input.event,
        data: input.data,
        serialized: input.serialized,
      };
      if (input.id === undefined) markOrdered(stored);
      else if (capacity > 0) placeOfChosen.set(seq, nextEventId());
      if (capacity > 0) {
        const evicted = at(seq);
        if (evicted) {
          evict(evicted.id, seq - capacity);
          if (seqOfId.get(evicted.id) === seq - capacity) seqOfId.delete(evicted.id);
        }
        ring[seq % size] = stored;
        seqOfId.set(id, seq);
      } else {
        lastEvictedId = id;
        newestEvictedOrdered = input.id === undefined ? id : nextEventId();
      }
      for (const listener of listeners) listener(stored);
      return Promise.resolve(id);
    },

    readAfter(lastEventId) {
      const first = oldestSeq();
      const known = seqOfId.get(lastEventId);
      const oldest = nextSeq > first && capacity > 0 ? (at(first)?.id ?? null) : null;
      if (known !== undefined || !parseEventId(lastEventId)) {
        // The newest evicted id is not a gap: everything after it is still here.
        const gap = known === undefined && lastEventId !== lastEvictedId;
        // An unknown id of another shape cannot be placed: everything retained is sent.
        const events = eventsAfter(lastEventId, known ?? first - 1);
        return Promise.resolve({ events, gap, oldestId: oldest });
      }
      // Older than this process: it saw events of an earlier one, which are gone.
      const gap =
        isBefore(lastEventId, processStartEventId()) ||
        (newestEvictedOrdered !== undefined && isBefore(lastEventId, newestEvictedOrdered));
      return Promise.resolve({
        events: eventsAfter(lastEventId, undefined),
        gap,
        oldestId: oldest,
      });
    },

    lastId() {
      const newest = nextSeq > oldestSeq() && capacity > 0 ? at(nextSeq - 1) : undefined;
      // Nothing retained: the process's position, which readAfter places by order.
      return newest?.id ?? currentEventId();
    },

    listen(listener) {
      // Wrapped so the same function can listen twice and be removed once per call.
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

/** Whether `id` lies in the range of ids this process has assigned so far. */
function isOfThisProcess(id: string): boolean {
  return !isBefore(id, processStartEventId()) && !isBefore(currentEventId(), id);
}

function isBefore(a: string, b: string): boolean {
  return (compareEventIds(a, b) ?? 0) < 0;
}
