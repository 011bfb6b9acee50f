import type { SseSerializer } from './framing';
import type { SseStream } from './stream';

/** Why a stream closed. */
export type SseCloseReason = 'client' | 'server' | 'slow' | 'error';

/** Options of one SSE connection; every binding and adapter accepts them. */
export interface SseStreamOptions {
  /**
   * Milliseconds of idleness after which a comment is sent to keep proxies and the client
   * from timing out; `false` turns heartbeats off (not on Workers, where a stream needs its
   * heartbeat to stay open and to notice a client that left: there `false` means the default).
   * @default 15000 (5000 on Bun, whose server cuts connections idle for 8 to 12 s)
   */
  heartbeat?: number | false;
  /**
   * Unsent bytes a client may hold up. A publisher awaiting `channel.publish` waits while a
   * client is over it; a client over it that makes no progress for the slow verdict's time
   * (about 300 ms) is closed as `"slow"` (it reconnects and resumes from history), and one that
   * keeps reading is never cut off. Whatever clients do, each holds at most twice this plus the
   * largest event queued to it.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /** Reconnection delay (ms) sent to the client as `retry:` when the stream opens. */
  retry?: number;
  /** Turns non-string `data` into text. @default JSON.stringify */
  serialize?: SseSerializer;
  /**
   * Receives errors raised after the response has started (a throwing handler, source, or a
   * channel's `filter`); the stream is then closed with reason `"error"`.
   */
  onError?: (error: unknown, stream: SseStream) => void;
}

/** Options of `SseStream.send`. */
export interface SseSendOptions {
  /** Event name; the client receives it via `addEventListener(event)`. */
  event?: string;
  /** Event id, echoed back by the client as `Last-Event-ID` on reconnect. */
  id?: string;
  /** Reconnection delay (ms) for the client. */
  retry?: number;
}

/** Options of `SseStream.pipe`. */
export interface SsePipeOptions {
  /** Event name for every item. */
  event?: string;
}

/** @internal What a binding passes besides the user's options. */
export interface SseStreamInit extends SseStreamOptions {
  lastEventId?: string | undefined;
  /** The options as the binding already checked them: not checked again. */
  checked?: CheckedStreamOptions;
}

/** @internal Stream options checked, with their defaults. */
export interface CheckedStreamOptions {
  heartbeat: number | false;
  maxBufferedBytes: number;
}
