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
const NONE = '~';
const WRITTEN_PREFIX = `${PREFIX}0`;

/** A stream's position in each of its topics, with each position's part of the cursor. */
export class TopicsPositions {
  private readonly ids: (string | undefined)[];
  private readonly parts: string[];

  constructor(positions: readonly (string | undefined)[]) {
    this.ids = [...positions];
    this.parts = positions.map(partOf);
  }

  get(index: number): string | undefined {
    return this.ids[index];
  }

  set(index: number, id: string): void {
    this.ids[index] = id;
    this.parts[index] = partCached(id);
  }

  /** The positions as one event id. */
  encode(): string {
    let out = WRITTEN_PREFIX;
    for (const part of this.parts) out += `,${part}`;
    return out;
  }
}

/** Encodes positions (`undefined`: none yet) as one event id. */
export function encodeTopicsCursor(positions: readonly (string | undefined)[]): string {
  return new TopicsPositions(positions).encode();
}

function partOf(id: string | undefined): string {
  if (id === undefined) return NONE;
  const parsed = parseEventId(id);
  if (!parsed) return `!${encodeURIComponent(id)}`;
  return `${parsed.ms.toString(36)}.${parsed.seq.toString(36)}`;
}

// The subscribers of one topic get the same event one after another: encode its id once.
let lastId: string | undefined;
let lastPart = NONE;

function partCached(id: string): string {
  if (id !== lastId) {
    lastPart = partOf(id);
    lastId = id;
  }
  return lastPart;
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
    if (part === NONE) positions.push(undefined);
    else if (part.startsWith('!')) positions.push(decodeOrUndefined(part.slice(1)));
    else {
      const [ms, seq] = part.split('.');
      const offset = parseInt(ms ?? '', 36);
      const counter = parseInt(seq ?? '', 36);
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(counter)) return undefined;
      positions.push(`${base + offset}-${counter}`);
    }
  }
  return positions;
}

function decodeOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
