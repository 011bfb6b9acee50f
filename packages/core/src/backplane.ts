import { SseError } from './errors';

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
  /** The retained events after `lastEventId`. */
  readAfter(lastEventId: string): Promise<BackplaneReadResult>;
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
 * A backplane for one process: the last `history` events in a ring, ids `"1"`, `"2"`, ...
 * assigned in publish order.
 */
export function memoryBackplane(options: MemoryBackplaneOptions = {}): Backplane {
  const capacity = options.history ?? 1000;
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `history must be a non-negative integer, got ${String(capacity)}`,
    );
  }
  const ring: (BackplaneEvent | undefined)[] = new Array<BackplaneEvent | undefined>(capacity);
  // Sequence numbers are internal: they order events even when publishers choose their ids.
  const seqOfId = new Map<string, number>();
  const listeners = new Set<(event: BackplaneEvent) => void>();
  let nextSeq = 1;
  let lastEvictedId: string | undefined;

  const oldestSeq = () => Math.max(1, nextSeq - capacity);
  const at = (seq: number) => ring[seq % capacity];

  return {
    append(input) {
      const seq = nextSeq++;
      const id = input.id ?? String(seq);
      const stored: BackplaneEvent = {
        id,
        event: input.event,
        data: input.data,
        serialized: input.serialized,
      };
      if (capacity > 0) {
        const evicted = at(seq);
        if (evicted) {
          lastEvictedId = evicted.id;
          if (seqOfId.get(evicted.id) === seq - capacity) seqOfId.delete(evicted.id);
        }
        ring[seq % capacity] = stored;
        seqOfId.set(id, seq);
      } else {
        lastEvictedId = id;
      }
      for (const listener of listeners) listener(stored);
      return Promise.resolve(id);
    },

    readAfter(lastEventId) {
      const first = oldestSeq();
      const known = seqOfId.get(lastEventId);
      // The newest evicted id is not a gap: everything after it is still here.
      const gap = known === undefined && lastEventId !== lastEvictedId;
      const from = known === undefined ? first : known + 1;
      const events: BackplaneEvent[] = [];
      for (let seq = from; seq < nextSeq; seq++) {
        const event = at(seq);
        if (event) events.push(event);
      }
      const oldest = nextSeq > first && capacity > 0 ? (at(first)?.id ?? null) : null;
      return Promise.resolve({ events, gap, oldestId: oldest });
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
