import { SseError, type BackplaneEvent } from '@sse/core';

// Field names of a stream entry (written by the append script): short, every entry has them.
const EVENT = 'e';
const DATA = 'd';
const SERIALIZED = 's';

/** Redis stream ids: `<ms>-<seq>`. */
export const STREAM_ID = /^\d+-\d+$/;

/** The events of an `XRANGE` reply (or of one stream of an `XREAD` reply). */
export function decodeEntries(reply: unknown): BackplaneEvent[] {
  if (!Array.isArray(reply)) throw unexpected(reply);
  return reply.map(decodeEntry);
}

/**
 * The event of a live message, as the append script publishes it:
 * `<id>\n<serialized 0|1><has event 0|1>\n<event>\n<data>` (only the data may hold line breaks).
 */
export function decodeMessage(message: string): BackplaneEvent {
  const idEnd = message.indexOf('\n');
  const eventEnd = message.indexOf('\n', idEnd + 4);
  if (idEnd < 0 || eventEnd < 0 || message[idEnd + 3] !== '\n') throw unexpected(message);
  const hasEvent = message[idEnd + 2] === '1';
  return {
    id: message.slice(0, idEnd),
    serialized: message[idEnd + 1] === '1',
    event: hasEvent ? message.slice(idEnd + 4, eventEnd) : undefined,
    data: message.slice(eventEnd + 1),
  };
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
