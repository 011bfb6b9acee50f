import type { Backplane, BackplaneEvent } from '../backplane';
import type { BrokerRuns, RunState } from '../brokers/broker';
import type { ChannelSubscribeOptions } from '../channel-types';
import { SseError } from '../errors';
import { compareEventIds } from '../event-id';
import { formatEvent } from '../framing';
import { cursorFrame, openReplay, type ReplayHandle } from '../replay';
import type { SseStream } from '../stream';
import { writeHeldFrames } from '../write-order';
import { RUN_END_EVENT, RUN_ERROR_EVENT } from './run-types';
import type { TopicChannel } from './topics-subscription';

/** Events read from the store at a time when replaying: memory follows the page, not the run. */
export const REPLAY_PAGE_SIZE = 256;

/** One topic of a hub, as its readers need it. */
export interface TopicReader {
  readonly name: string;
  readonly channel: TopicChannel;
  readonly backplane: Backplane;
  readonly runs: BrokerRuns;
  readonly gapEvent: string | false;
  /** Readers of this topic alone that are live (done replaying): a final event ends them. */
  readonly live: Set<SseStream<object>>;
}

/**
 * Ends the topic's live readers after a final event (`sse-end` / `sse-error`): the channel
 * holds the event's frame for the rest of the tick, and `close()` writes it first. Returns
 * what stops listening.
 */
export function endReadersOnFinal(reader: TopicReader): () => void {
  return reader.backplane.listen((event) => {
    if (!isFinal(event)) return;
    for (const stream of [...reader.live]) stream.close();
  });
}

/**
 * Subscribes a reader to one topic, which may be a run. A run is read from its first event when
 * the reader has no `Last-Event-ID`; any topic's history is replayed in pages with
 * backpressure; the stream ends after a final event (`sse-end` / `sse-error`).
 */
export function subscribeTopic(
  reader: TopicReader,
  stream: SseStream<object>,
  options: ChannelSubscribeOptions<never> = {},
): () => void {
  const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
  const handle = reader.channel[openReplay](stream, lastEventId, options.filter);
  if (!handle) return noop;
  let stopWatching = noop;
  const leave = () => {
    reader.live.delete(stream);
    stopWatching();
    stopWatching = noop;
  };
  const unwatch = stream.onClose(leave);
  void Promise.resolve(reader.runs.state(reader.name))
    .then((state) => {
      // While it has readers here, the broker checks that the run's producer lives.
      if (state?.status === 'running' && !stream.closed) {
        stopWatching = reader.runs.watch?.(reader.name) ?? noop;
      }
      return replay(reader, stream, handle, lastEventId, state !== undefined);
    })
    .catch((error: unknown) => stream.fail(error));
  return () => {
    leave();
    unwatch();
    handle.unsubscribe();
  };
}

/**
 * Throws (or rejects with) `SseError` `ERR_SSE_ENDED`, status 204, when `lastEventId` is the
 * final event of the run `name`: the client has it all, and a 204 stops its reconnecting.
 */
export function assertNotEnded(
  runs: BrokerRuns,
  name: string,
  lastEventId: string,
): void | Promise<void> {
  const check = (state: RunState | undefined) => {
    if (state?.finalId !== undefined && state.finalId === lastEventId) {
      throw new SseError('ERR_SSE_ENDED', `Run "${name}" has ended: nothing after this id`, {
        status: 204,
      });
    }
  };
  const state = runs.state(name);
  return state instanceof Promise ? state.then(check) : check(state);
}

async function replay(
  reader: TopicReader,
  stream: SseStream<object>,
  handle: ReplayHandle,
  lastEventId: string | undefined,
  isRun: boolean,
): Promise<void> {
  let position = lastEventId ?? (isRun ? '0-0' : (await handle.read()).from);
  if (lastEventId === undefined && !isRun) {
    // A plain topic without an id starts live, its position given as the client's cursor.
    if (position !== undefined && !stream.closed) stream.writeFrame(cursorFrame(position));
  } else if (position !== undefined) {
    position = await replayPages(reader, stream, handle, position, lastEventId, isRun);
  }
  for (;;) {
    if (stream.closed) return;
    writeHeldFrames();
    const queued = handle.takeQueued();
    if (queued === undefined) return;
    const fresh = after(queued, position);
    // No await between the last take and going live: nothing can slip in between.
    if (fresh.length === 0 && handle.goLive(position)) break;
    for (const event of fresh) {
      if (!(await deliver(stream, handle, event))) return;
      position = event.id;
    }
  }
  reader.live.add(stream);
  if (!isRun) return;
  // A reader that had every event up to the final one (it was stored after it checked).
  const state = await reader.runs.state(reader.name);
  if (state?.finalId !== undefined && state.finalId === position) stream.close();
}

/** Writes one event, waiting for the client to drain; `false` once the stream is over. */
async function deliver(
  stream: SseStream<object>,
  handle: ReplayHandle,
  event: BackplaneEvent,
): Promise<boolean> {
  if (stream.closed) return false;
  if (!handle.deliver(event)) await stream.whenDrained();
  if (!isFinal(event)) return !stream.closed;
  stream.close();
  return false;
}

/**
 * The live events held back that are not in what was replayed: those after `position` (the
 * last replayed id), found exactly, or by order where ids compare.
 */
function after(queued: readonly BackplaneEvent[], position: string | undefined): BackplaneEvent[] {
  if (position === undefined) return [...queued];
  const at = queued.findIndex((event) => event.id === position);
  const rest = at < 0 ? queued : queued.slice(at + 1);
  return rest.filter((event) => (compareEventIds(event.id, position) ?? 1) > 0);
}

/** Replays the store after `position` a page at a time; resolves with the last id written. */
async function replayPages(
  reader: TopicReader,
  stream: SseStream<object>,
  handle: ReplayHandle,
  position: string,
  lastEventId: string | undefined,
  isRun: boolean,
): Promise<string> {
  const { runs, name, backplane } = reader;
  const read = (after: string) =>
    isRun && runs.readAfter
      ? runs.readAfter(name, after, REPLAY_PAGE_SIZE)
      : backplane.readAfter(after, REPLAY_PAGE_SIZE);
  for (let first = true; ; first = false) {
    const page = await read(position);
    if (stream.closed) return position;
    if (first && page.gap && lastEventId !== undefined && reader.gapEvent !== false) {
      const data = { lastEventId, oldestId: page.oldestId };
      stream.writeFrame(formatEvent({ event: reader.gapEvent, data }));
    }
    for (const event of page.events) {
      // A copy: the channel caches each event's frame for as long as the event lives, and a
      // memory store keeps a run's events alive, so a replay would keep a second copy of it.
      if (!(await deliver(stream, handle, { ...event }))) return event.id;
      position = event.id;
    }
    if (page.events.length < REPLAY_PAGE_SIZE) return position;
  }
}

function isFinal(event: BackplaneEvent): boolean {
  return event.event === RUN_END_EVENT || event.event === RUN_ERROR_EVENT;
}

function noop(): void {}
