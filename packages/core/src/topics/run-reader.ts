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
  /** The channel's own `subscribe`, for a topic that is known not to be a run. */
  readonly subscribePlain: (
    stream: SseStream<object>,
    options?: ChannelSubscribeOptions<never>,
  ) => () => void;
}

/**
 * Subscribes a reader to a topic that may be a run. A run is read from its first event when
 * the reader has no `Last-Event-ID`, in pages with backpressure, and the reader's stream
 * closes after the final event. A topic known at once not to be a run is a plain subscription.
 */
export function subscribeTopic(
  reader: TopicReader,
  stream: SseStream<object>,
  options: ChannelSubscribeOptions<never> = {},
): () => void {
  const state = reader.runs.state(reader.name);
  if (state === undefined) return reader.subscribePlain(stream, options);
  const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
  let isRun = false;
  const handle = reader.channel[openReplay](stream, lastEventId, options.filter, (event, frame) => {
    const written = stream.writeFrame(frame);
    if (isRun && isFinal(event)) stream.close();
    return written;
  });
  if (!handle) return noop;
  void Promise.resolve(state)
    .then((known) => {
      isRun = known !== undefined;
      return replay(reader, stream, handle, lastEventId, isRun);
    })
    .catch((error: unknown) => stream.fail(error));
  return handle.unsubscribe;
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
    position = await replayPages(reader, stream, handle, position, lastEventId);
  }
  if (stream.closed) return;
  for (;;) {
    writeHeldFrames();
    const queued = handle.takeQueued();
    if (queued === undefined) return;
    const fresh = queued.filter((event) => isAfter(event.id, position));
    // No await between the last take and going live: nothing can slip in between.
    if (fresh.length === 0 && handle.goLive()) break;
    for (const event of fresh) {
      if (stream.closed) return;
      if (!handle.deliver(event)) await stream.whenDrained();
      position = event.id;
    }
  }
  if (!isRun) return;
  // A reader that had every event up to the final one (it was stored after it checked).
  const state = await reader.runs.state(reader.name);
  if (state?.finalId !== undefined && state.finalId === position) stream.close();
}

/** Replays the store after `position` a page at a time; resolves with the last id written. */
async function replayPages(
  reader: TopicReader,
  stream: SseStream<object>,
  handle: ReplayHandle,
  position: string,
  lastEventId: string | undefined,
): Promise<string> {
  for (let first = true; ; first = false) {
    const page = await reader.backplane.readAfter(position, REPLAY_PAGE_SIZE);
    if (stream.closed) return position;
    if (first && page.gap && lastEventId !== undefined && reader.gapEvent !== false) {
      const data = { lastEventId, oldestId: page.oldestId };
      stream.writeFrame(formatEvent({ event: reader.gapEvent, data }));
    }
    for (const event of page.events) {
      if (stream.closed) return position;
      if (!handle.deliver(event)) await stream.whenDrained();
      position = event.id;
    }
    if (page.events.length < REPLAY_PAGE_SIZE) return position;
  }
}

function isFinal(event: BackplaneEvent): boolean {
  return event.event === RUN_END_EVENT || event.event === RUN_ERROR_EVENT;
}

function isAfter(id: string, position: string | undefined): boolean {
  return position === undefined || (compareEventIds(id, position) ?? 1) > 0;
}

function noop(): void {}
