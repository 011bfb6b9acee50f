import type { SseSubscribable } from './adapter/channels';
import {
  cursorFrame,
  isReplaySource,
  newestOf,
  openReplay,
  readCursor,
  replayInOrder,
  subscribeLive,
  type ReplayHandle,
} from './replay';
import type { SseStream } from './stream';

/** Options of `subscribeAll`. */
export interface SubscribeAllOptions {
  /** Replay what came after this id; defaults to the stream's `lastEventId`. */
  lastEventId?: string | undefined;
}

/**
 * Subscribes one stream to several channels as if they were one. The client's single
 * `Last-Event-ID` resumes all of them: their histories after it are replayed merged in id
 * order, preceded by one gap event at most (when any channel lost events, with the oldest id
 * retained by any), then live events, with no gap and no duplicate in between. The adapters'
 * `channel: [a, b]` option does this.
 *
 * Channels created by `createChannel` are merged; any other subscribable is subscribed on its
 * own with `subscribe(stream)`. Returns the function that unsubscribes from every channel.
 */
export function subscribeAll(
  stream: SseStream<object>,
  channels: readonly SseSubscribable[],
  options: SubscribeAllOptions = {},
): () => void {
  const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
  const stops: (() => void)[] = [];
  const handles: ReplayHandle[] = [];
  const cursors: string[] = [];
  try {
    for (const channel of new Set(channels)) {
      if (!isReplaySource(channel)) {
        stops.push(channel.subscribe(stream));
      } else if (lastEventId !== undefined) {
        const handle = channel[openReplay](stream, lastEventId);
        if (handle) handles.push(handle);
        stops.push(handle ? handle.unsubscribe : noop);
      } else {
        // Without a last id there is nothing to replay: live events already arrive in order.
        // One cursor for the list, the newest, rather than one per channel.
        const cursor = channel[readCursor]();
        if (typeof cursor === 'string' || cursor === null) {
          stops.push(channel[subscribeLive](stream));
          if (cursor !== null) cursors.push(cursor);
        } else {
          stops.push(channel.subscribe(stream));
        }
      }
    }
  } catch (error) {
    // A closed channel in the list: the ones subscribed so far must not hold events forever.
    for (const stop of stops) stop();
    throw error;
  }
  if (lastEventId !== undefined && handles.length > 0) {
    void replayInOrder(stream, lastEventId, handles);
  }
  const cursor = newestOf(cursors);
  if (cursor !== undefined) stream.writeFrame(cursorFrame(cursor));
  return () => {
    for (const stop of stops) stop();
  };
}

function noop(): void {}
