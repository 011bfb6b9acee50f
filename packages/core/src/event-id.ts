/**
 * Event ids shaped like Redis stream ids, `<ms>-<seq>`: the wall clock in milliseconds, then a
 * counter within that millisecond. One generator serves the whole process, so ids compare in
 * publish order across every channel, and a process started later starts at a later id.
 */

/** The two numbers of an id shaped `<ms>-<seq>`. */
export interface ParsedEventId {
  /** Milliseconds since the epoch when the id was assigned. */
  readonly ms: number;
  /** The counter within that millisecond, from `0`. */
  readonly seq: number;
}

interface GeneratorState {
  /** When the first generator of this process was loaded: ids before it are older processes'. */
  readonly startMs: number;
  ms: number;
  seq: number;
}

// On globalThis so that the ESM and CJS builds, if both are loaded, still share one sequence.
const STATE_KEY = Symbol.for('@sse/core/event-id');
const holder = globalThis as { [STATE_KEY]?: GeneratorState };
const state: GeneratorState = (holder[STATE_KEY] ??= {
  startMs: Date.now(),
  ms: 0,
  seq: -1,
});

// Digits without leading zeros, so equal ids are equal strings.
const SHAPE = /^(0|[1-9]\d*)-(0|[1-9]\d*)$/;

/**
 * The next id of this process: strictly greater than every id it assigned before. When the
 * clock goes backwards, the last millisecond is kept and the counter goes on.
 */
export function nextEventId(): string {
  const now = Date.now();
  if (now > state.ms) {
    state.ms = now;
    state.seq = 0;
  } else {
    state.seq++;
  }
  return `${state.ms}-${state.seq}`;
}

/** The last id this process assigned (or its start, before the first): a position, not an event. */
export function currentEventId(): string {
  return state.seq < 0 ? processStartEventId() : `${state.ms}-${state.seq}`;
}

/** The id below every id this process assigns: anything older comes from an earlier process. */
export function processStartEventId(): string {
  return `${state.startMs}-0`;
}

/** Reads an id shaped `<ms>-<seq>` (two safe integers); `undefined` for any other string. */
export function parseEventId(id: string): ParsedEventId | undefined {
  const match = SHAPE.exec(id);
  if (!match) return undefined;
  const ms = Number(match[1]);
  const seq = Number(match[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) return undefined;
  return { ms, seq };
}

/**
 * Orders two ids shaped `<ms>-<seq>`: negative when `a` came first, `0` when equal, positive
 * when `a` came later; `undefined` when either has another shape (a publisher's own id).
 */
export function compareEventIds(a: string, b: string): number | undefined {
  const left = parseEventId(a);
  const right = parseEventId(b);
  if (!left || !right) return undefined;
  return left.ms === right.ms ? left.seq - right.seq : left.ms - right.ms;
}
