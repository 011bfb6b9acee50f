import { SseError, type BackplaneAppendInput, type BackplaneEvent } from '@sse/core';

// Field names of a stream entry: short, since every entry carries them.
const EVENT = 'e';
const DATA = 'd';
const SERIALIZED = 's';

/** The field/value list of `XADD` for an event. */
export function entryFields(input: BackplaneAppendInput): string[] {
  const fields = [DATA, input.data, SERIALIZED, input.serialized ? '1' : '0'];
  if (input.event !== undefined) fields.push(EVENT, input.event);
  return fields;
}

/** Redis stream ids: `<ms>-<seq>`. */
export const STREAM_ID = /^\d+-\d+$/;

/** The events of an `XRANGE` reply (or of one stream of an `XREAD` reply). */
export function decodeEntries(reply: unknown): BackplaneEvent[] {
  if (!Array.isArray(reply)) throw unexpected(reply);
  return reply.map(decodeEntry);
}

/**
 * The entries `XREAD` returned for its one stream, or none when it timed out (`null`). RESP2
 * answers `[[key, entries]]`, RESP3 (node-redis 6's default) a map `{ key: entries }`.
 */
export function decodeReadReply(reply: unknown): BackplaneEvent[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) {
    if (!Array.isArray(reply[0])) throw unexpected(reply);
    return decodeEntries((reply[0] as unknown[])[1]);
  }
  if (reply instanceof Map) return decodeEntries([...(reply as Map<unknown, unknown>).values()][0]);
  if (typeof reply === 'object') return decodeEntries(Object.values(reply)[0]);
  throw unexpected(reply);
}

function decodeEntry(entry: unknown): BackplaneEvent {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
    throw unexpected(entry);
  }
  const [id, list] = entry as [string, unknown[]];
  let data: string | undefined;
  let event: string | undefined;
  let serialized = false;
  for (let i = 0; i + 1 < list.length; i += 2) {
    const value = String(list[i + 1]);
    if (list[i] === DATA) data = value;
    else if (list[i] === EVENT) event = value;
    else if (list[i] === SERIALIZED) serialized = value === '1';
  }
  if (data === undefined) {
    throw new SseError('ERR_SSE_BACKPLANE', `stream entry ${id} has no "${DATA}" field`);
  }
  return { id, event, data, serialized };
}

function unexpected(reply: unknown): SseError {
  return new SseError(
    'ERR_SSE_BACKPLANE',
    `unexpected reply from Redis: ${JSON.stringify(reply)?.slice(0, 200)}`,
  );
}
