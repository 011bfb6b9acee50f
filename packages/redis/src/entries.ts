import { compareEventIds, SseError, type BackplaneEvent } from '@sse/core';
import { BATCH_EVENTS, BATCH_MESSAGE, unpackBatch } from './run-batch';

// Field names of a one-event stream entry (written by the append script): short, every entry
// has them. A run's batch entry has the fields of run-batch.ts instead.
const EVENT = 'e';
const DATA = 'd';
const SERIALIZED = 's';

/** Redis stream ids: `<ms>-<seq>`. */
export const STREAM_ID = /^\d+-\d+$/;

/**
 * The events of an `XRANGE` reply (or of one stream of an `XREAD` reply), in order: one per
 * one-event entry, every event of a batch entry.
 */
export function decodeEntries(reply: unknown): BackplaneEvent[] {
  if (!Array.isArray(reply)) throw unexpected(reply);
  const events: BackplaneEvent[] = [];
  for (const entry of reply) decodeEntry(entry, events);
  return events;
}

/** The id of a reply's first entry: of a batch entry, the id of its last event. */
export function firstEntryId(reply: unknown): string | undefined {
  if (!Array.isArray(reply)) throw unexpected(reply);
  const entry: unknown = reply[0];
  if (entry === undefined) return undefined;
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw unexpected(entry);
  return entry[0];
}

/**
 * The events after `id`: a read from an id inside a batch entry gets the whole entry, whose
 * events up to `id` the reader already has.
 */
export function eventsAfter(events: BackplaneEvent[], id: string): BackplaneEvent[] {
  let skip = 0;
  while (skip < events.length && (compareEventIds(events[skip]!.id, id) ?? 1) <= 0) skip++;
  return skip === 0 ? events : events.slice(skip);
}

/**
 * The events of a live message: a run's batch (`#` then the pack, run-batch.ts), or one event
 * as the append script publishes it,
 * `<id>\n<serialized 0|1><has event 0|1>\n<event>\n<data>` (only the data may hold line breaks).
 */
export function decodeMessage(message: string): BackplaneEvent[] {
  if (message.startsWith(BATCH_MESSAGE)) {
    const events: BackplaneEvent[] = [];
    unpackBatch(message, events, BATCH_MESSAGE.length);
    return events;
  }
  const idEnd = message.indexOf('\n');
  const eventEnd = message.indexOf('\n', idEnd + 4);
  if (idEnd < 0 || eventEnd < 0 || message[idEnd + 3] !== '\n') throw unexpected(message);
  const hasEvent = message[idEnd + 2] === '1';
  return [
    {
      id: message.slice(0, idEnd),
      serialized: message[idEnd + 1] === '1',
      event: hasEvent ? message.slice(idEnd + 4, eventEnd) : undefined,
      data: message.slice(eventEnd + 1),
    },
  ];
}

function decodeEntry(entry: unknown, into: BackplaneEvent[]): void {
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
    else if (list[i] === BATCH_EVENTS) return unpackEntry(id, value, into);
  }
  if (data === undefined) {
    throw new SseError('ERR_SSE_BACKPLANE', `stream entry ${id} has no "${DATA}" field`);
  }
  into.push({ id, event, data, serialized });
}

function unpackEntry(id: string, packed: string, into: BackplaneEvent[]): void {
  const from = into.length;
  unpackBatch(packed, into);
  if (into.length === from || into.at(-1)!.id !== id) {
    throw new SseError('ERR_SSE_BACKPLANE', `stream entry ${id} holds a batch not ending at ${id}`);
  }
}

function unexpected(reply: unknown): SseError {
  return new SseError(
    'ERR_SSE_BACKPLANE',
    `unexpected reply from Redis: ${JSON.stringify(reply)?.slice(0, 200)}`,
  );
}
