import { parseEventId } from '../event-id';

/**
 * The last event id of a stream of several topics: one position per topic, in the order the
 * stream asked for them, so that one `Last-Event-ID` resumes every topic exactly, whether or
 * not ids of different topics compare (topics on different Redis Cluster shards).
 *
 * Shape: `t1,<base>,<p1>,<p2>...` where `<base>` is the smallest millisecond of the ids in
 * base 36 and each position is `<ms - base>.<seq>` in base 36, `~` for "no position", or
 * `!` and the id URI-encoded when it is not shaped `<ms>-<seq>`. Ids never start with `t1,`,
 * so a cursor is told from a plain id.
 */
const PREFIX = 't1,';
const NONE = '~';

/** Encodes positions (`undefined`: none yet) as one event id. */
export function encodeTopicsCursor(positions: readonly (string | undefined)[]): string {
  let base = Infinity;
  const parsed = positions.map((id) => (id === undefined ? undefined : parseEventId(id)));
  for (const id of parsed) if (id && id.ms < base) base = id.ms;
  if (base === Infinity) base = 0;
  let out = PREFIX + base.toString(36);
  for (let i = 0; i < positions.length; i++) {
    const id = positions[i];
    const shaped = parsed[i];
    if (id === undefined) out += `,${NONE}`;
    else if (shaped) out += `,${(shaped.ms - base).toString(36)}.${shaped.seq.toString(36)}`;
    else out += `,!${encodeURIComponent(id)}`;
  }
  return out;
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
