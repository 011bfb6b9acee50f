import {
  compareEventIds,
  SseError,
  type BackplaneAppendInput,
  type BackplaneEvent,
} from '@sse/core';

/**
 * A run's batch of events packed into one string: stored as one stream entry (its id the id of
 * its last event) and published as one message, so a batch costs one `XADD` and one `PUBLISH`
 * whatever its size. Each event is
 * `<id>\n<serialized 0|1><has event 0|1><event>\n<length of data>\n<data>`: ids and event
 * names hold no line break, and the data is taken by its length (in UTF-16 code units, as
 * JavaScript counts; a lone surrogate that UTF-8 turns into U+FFFD keeps that length), so it
 * may hold anything. An id in the same millisecond as the one before it in the entry is
 * written `-<seq>`: tokens come many per millisecond, and an id in full is most of a token's
 * bytes.
 */

/** Field names of a batch entry: its number of events (read by the page script) and the pack. */
export const BATCH_COUNT = 'n';
export const BATCH_EVENTS = 'b';
/** The first character of a published batch; a one-event message starts with a digit. */
export const BATCH_MESSAGE = '#';

/**
 * At most this many events, and this much data (unless one event alone is larger), per entry:
 * a resume from inside an entry reads and drops at most that much, and a page stays small.
 */
const ENTRY_MAX_EVENTS = 128;
const ENTRY_MAX_CHARS = 64 * 1024;

/** One stream entry of a batch: the id of its last event, how many it holds, the pack. */
export interface BatchEntry {
  readonly id: string;
  readonly count: number;
  readonly packed: string;
}

/**
 * Packs a batch into entries, in order. Throws `ERR_SSE_BACKPLANE` for an event without an id,
 * an id that is not a stream id or not after the one before it (`previous`, then each other),
 * and an event name with a line break: one `XADD` checks only the last id of an entry.
 */
export function packBatch(
  inputs: readonly BackplaneAppendInput[],
  previous: string | undefined,
): BatchEntry[] {
  const entries: BatchEntry[] = [];
  let parts: string[] = [];
  let chars = 0;
  let last = previous;
  // The millisecond part of the entry's previous id: each entry starts with an id in full.
  let ms = '';
  const close = () => {
    if (parts.length === 0) return;
    entries.push({ id: last!, count: parts.length, packed: parts.join('') });
    parts = [];
    chars = 0;
    ms = '';
  };
  for (const input of inputs) {
    const { id, event, data } = input;
    if (id === undefined) {
      throw new SseError('ERR_SSE_BACKPLANE', 'appendMany() takes events with their ids');
    }
    const order = compareEventIds(id, last ?? '0-0');
    if (order === undefined || order <= 0) {
      throw new SseError(
        'ERR_SSE_BACKPLANE',
        `event id ${JSON.stringify(id)} is not a stream id (<ms>-<seq>) after ${last ?? '0-0'}`,
      );
    }
    if (event?.includes('\n')) {
      throw new SseError('ERR_SSE_BACKPLANE', 'an event name cannot contain a line break');
    }
    if (parts.length >= ENTRY_MAX_EVENTS || (chars > 0 && chars + data.length > ENTRY_MAX_CHARS)) {
      close();
    }
    const flags = `${input.serialized ? '1' : '0'}${event === undefined ? '0' : '1'}`;
    const dash = id.indexOf('-');
    const short = id.slice(0, dash) === ms ? id.slice(dash) : id;
    ms = id.slice(0, dash);
    parts.push(`${short}\n${flags}${event ?? ''}\n${data.length}\n${data}`);
    chars += data.length;
    last = id;
  }
  close();
  return entries;
}

/** Appends the events of a pack (or of several, joined) to `into`. */
export function unpackBatch(packed: string, into: BackplaneEvent[], from = 0): void {
  let at = from;
  let ms = '';
  while (at < packed.length) {
    const idEnd = packed.indexOf('\n', at);
    const eventEnd = idEnd < 0 ? -1 : packed.indexOf('\n', idEnd + 3);
    const lengthEnd = eventEnd < 0 ? -1 : packed.indexOf('\n', eventEnd + 1);
    const length = Number(packed.slice(eventEnd + 1, lengthEnd));
    const end = lengthEnd + 1 + length;
    const short = packed[at] === '-';
    if (
      lengthEnd <= eventEnd + 1 ||
      !Number.isInteger(length) ||
      end > packed.length ||
      (short && ms === '')
    ) {
      throw new SseError(
        'ERR_SSE_BACKPLANE',
        `a packed batch of events from Redis is cut or malformed at ${at}: ${JSON.stringify(packed.slice(at, at + 80))}`,
      );
    }
    let id = packed.slice(at, idEnd);
    if (short) id = ms + id;
    else ms = id.slice(0, id.indexOf('-'));
    into.push({
      id,
      serialized: packed[idEnd + 1] === '1',
      event: packed[idEnd + 2] === '1' ? packed.slice(idEnd + 3, eventEnd) : undefined,
      data: packed.slice(lengthEnd + 1, end),
    });
    at = end;
  }
}
