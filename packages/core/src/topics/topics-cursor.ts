import { parseEventId } from '../event-id';

/**
 * The last event id of a stream of several topics: one position per topic, in the order the
 * stream asked for them, so that one `Last-Event-ID` resumes every topic exactly, whether or
 * not ids of different topics compare (topics on different Redis Cluster shards).
 *
 * Shape: `t1,<base>,<p1>,<p2>...` where `<base>` is a millisecond at or below those of the ids,
 * in base 36, and each position is `<ms - base>.<seq>` in base 36, `~` for "no position", or
 * `!` and the id URI-encoded when it is not shaped `<ms>-<seq>`. Ids never start with `t1,`,
 * so a cursor is told from a plain id. Every character is ASCII.
 *
 * Cursors written here have base 0: each position is then the same text for every stream,
 * encoded once per event rather than once per event and subscriber.
 */
const PREFIX = 't1,';
/** The part of a topic the stream has no position in yet. */
export const NO_POSITION = '~';
const NONE = NO_POSITION;
const WRITTEN_PREFIX = `${PREFIX}0`;

/**
 * A position's part of a cursor: the same text for every stream (base 0). A stream keeps its
 * positions as parts, so that moving one costs no parsing.
 */
export function positionPart(id: string | undefined): string {
  if (id === undefined) return NONE;
  const parsed = parseEventId(id);
  if (!parsed) return `!${encodeURIComponent(id)}`;
  return `${parsed.ms.toString(36)}.${parsed.seq.toString(36)}`;
}

// The subscribers of one topic get the same event one after another: encode its id once.
let lastId: string | undefined;
let lastPart = NONE;

/** `positionPart` of an event's id, remembered for the next subscriber of the same event. */
export function eventPart(id: string): string {
  if (id !== lastId) {
    lastPart = positionPart(id);
    lastId = id;
  }
  return lastPart;
}

/** The id a part stands for (`undefined`: no position). */
export function idOfPart(part: string): string | undefined {
  const id = decodePart(0, part);
  return id === INVALID ? undefined : id;
}

/** A stream's positions, as parts, as one event id. */
export function joinCursor(parts: readonly string[]): string {
  let out = WRITTEN_PREFIX;
  for (const part of parts) out += `,${part}`;
  return out;
}

/** Encodes positions (`undefined`: none yet) as one event id. */
export function encodeTopicsCursor(positions: readonly (string | undefined)[]): string {
  return joinCursor(positions.map(positionPart));
}

/**
 * The positions a last event id holds for `count` topics: a cursor of that many topics gives
 * each its own; anything else (a plain id, a cursor of another topic list) is `undefined`.
 */
export function decodeTopicsCursor(
  lastEventId: string,
  count: number,
): (string | undefined)[] | undefined {
  if (!lastEventId.startsWith(PREFIX)) return undefined;
  const parts = lastEventId.slice(PREFIX.length).split(',');
  if (parts.length !== count + 1) return undefined;
  const base = parseInt(parts[0]!, 36);
  if (!Number.isSafeInteger(base)) return undefined;
  const positions: (string | undefined)[] = [];
  for (const part of parts.slice(1)) {
    const id = decodePart(base, part);
    if (id === INVALID) return undefined;
    positions.push(id);
  }
  return positions;
}

const INVALID = Symbol('invalid');

function decodePart(base: number, part: string): string | undefined | typeof INVALID {
  if (part === NONE) return undefined;
  if (part.startsWith('!')) return decodeOrUndefined(part.slice(1));
  const [ms, seq] = part.split('.');
  const offset = parseInt(ms ?? '', 36);
  const counter = parseInt(seq ?? '', 36);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(counter)) return INVALID;
  return `${base + offset}-${counter}`;
}

function decodeOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
