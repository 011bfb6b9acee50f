import { utf8ByteLength } from './bytes';
import { STOPPED, stopSource, toIterator } from './pipe-source';
import { rejected } from './errors';
import { flushOpenBatch } from './fan-out-batch';
import { formatEvent, type SseSerializer } from './framing';
import { suspectSlow } from './slow-check';
import { scheduleHeartbeat, type HeartbeatTarget } from './heartbeat';
import type { SseChunk, SseTransport, SseTransportFactory, SseTransportSink } from './transport';
import { validateStreamOptions } from './options';

/** Why a stream closed. */
export type SseCloseReason = 'client' | 'server' | 'slow' | 'error';

/** Options of one SSE connection; every binding and adapter accepts them. */
export interface SseStreamOptions {
  /**
   * Milliseconds of idleness after which a comment is sent to keep proxies and the client
   * from timing out; `false` turns heartbeats off.
   * @default 15000
   */
  heartbeat?: number | false;
  /**
   * Unsent bytes a client may hold up before it is closed as `"slow"`. It reconnects and
   * resumes from history, so memory stays bounded whatever clients do. A client over the limit
   * is closed if it has not drained at all 100 ms later (so a burst does not cut off clients
   * that keep up), and at once when it would pass twice the limit.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /** Reconnection delay (ms) sent to the client as `retry:` when the stream opens. */
  retry?: number;
  /** Turns non-string `data` into text. @default JSON.stringify */
  serialize?: SseSerializer;
  /**
   * Receives errors raised after the response has started (a throwing handler or source);
   * the stream is then closed with reason `"error"`.
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

type CloseListener = (reason: SseCloseReason, error?: unknown) => void;

const RESOLVED: Promise<void> = Promise.resolve();
// Past this multiple of maxBufferedBytes a client is closed at once, without waiting to see
// whether the socket catches up: memory stays bounded even within one tick.
const HARD_LIMIT_FACTOR = 2;

/** @internal What a binding passes besides the user's options. */
export interface SseStreamInit extends SseStreamOptions {
  lastEventId?: string | undefined;
}

/**
 * One client connection. Created by a binding (`openNodeStream`, `createResponse`, an adapter),
 * never directly.
 */
export class SseStream<State extends object = Record<string, unknown>> {
  /** The id the client last saw: the `Last-Event-ID` header, else the `lastEventId` query. */
  readonly lastEventId: string | undefined;
  /** Your own data for this connection (user id, subscriptions...). */
  state: State = {} as State;

  private readonly transport: SseTransport;
  private readonly maxBufferedBytes: number;
  private readonly serialize: SseSerializer | undefined;
  private readonly reportError: ((error: unknown, stream: SseStream) => void) | undefined;
  private readonly beat: HeartbeatTarget | undefined;
  private stopHeartbeat: (() => void) | undefined;
  private closeReason: SseCloseReason | undefined;
  private controller: AbortController | undefined;
  private listeners: CloseListener[] | undefined;
  private drainWait: { promise: Promise<void>; resolve: () => void } | undefined;
  /** A write returned false: the transport will call `drain` when it has room again. */
  private behind = false;
  /** Unsent bytes when the stream went over its limit; `undefined` while it is not suspected. */
  private suspectedAt: number | undefined;

  /** @internal Use a binding. */
  constructor(connect: SseTransportFactory, init: SseStreamInit = {}) {
    const options = validateStreamOptions(init);
    this.lastEventId = init.lastEventId;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.serialize = init.serialize;
    this.reportError = init.onError;
    const sink: SseTransportSink = {
      drain: () => this.releaseDrain(),
      disconnect: (error) => this.shutdown(error === undefined ? 'client' : 'error', error),
    };
    this.transport = connect(sink);
    // A transport may report its client gone while connecting: then no timer at all.
    if (options.heartbeat !== false && !this.closeReason) {
      this.beat = {
        wroteSinceTick: true,
        idleTicks: 0,
        heartbeat: () => void this.writeFrame(':\n\n'),
      };
      this.stopHeartbeat = scheduleHeartbeat(this.beat, options.heartbeat);
    }
    // Flush at once so the client's `open` fires before the first event.
    this.writeFrame(formatEvent({ comment: '', retry: init.retry }));
  }

  /** `true` once the stream has closed, for whatever reason. */
  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Why the stream closed, or `undefined` while it is open. */
  get reason(): SseCloseReason | undefined {
    return this.closeReason;
  }

  /** Aborted when the stream closes: pass it to fetches and timers started for this client. */
  get signal(): AbortSignal {
    // Created on demand: an AbortController per idle connection is memory most never use.
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.closeReason) this.controller.abort(this.closeReason);
    }
    return this.controller.signal;
  }

  /** Bytes written to this client and not yet sent. */
  get bufferedBytes(): number {
    if (this.closed) return 0;
    flushOpenBatch();
    return this.transport.bufferedBytes;
  }

  /**
   * Sends one event. Resolves once the frame is in the socket's buffer, waiting for it to drain
   * under backpressure; on a closed stream it does nothing and resolves. Rejects with
   * `SseFormatError` (writing nothing) when a field cannot be framed.
   */
  send(data: unknown, options?: SseSendOptions): Promise<void> {
    let frame: string;
    try {
      frame = formatEvent(
        { data, event: options?.event, id: options?.id, retry: options?.retry },
        this.serialize,
      );
    } catch (error) {
      return rejected(error);
    }
    return this.writeAndWait(frame);
  }

  /** Sends a comment line (ignored by clients). Resolves like `send`. */
  comment(text = ''): Promise<void> {
    let frame: string;
    try {
      frame = formatEvent({ comment: text });
    } catch (error) {
      return rejected(error);
    }
    return this.writeAndWait(frame);
  }

  /**
   * Writes a complete, pre-built frame (see `formatEvent`) without waiting. Returns `false`
   * when the client is behind or the stream is closed. Closes the stream as `"slow"` when the
   * client's unsent bytes pass `maxBufferedBytes`. This is the fan-out path: no promise.
   */
  writeFrame(frame: SseChunk): boolean {
    if (this.closeReason) return false;
    // Frames a channel published earlier in this tick go first (see fan-out-batch.ts).
    flushOpenBatch();
    const below = this.transport.write(frame);
    if (this.beat) this.beat.wroteSinceTick = true;
    if (below) return true;
    this.behind = true;
    const buffered = this.transport.bufferedBytes;
    // The hard limit counts what was queued before this frame, so one large event alone never
    // closes a client: it is judged by whether it drains.
    if (buffered - byteLength(frame) > this.maxBufferedBytes * HARD_LIMIT_FACTOR) {
      this.shutdown('slow');
    } else if (this.suspectedAt === undefined) {
      if (buffered > this.maxBufferedBytes) {
        // Over the limit may just be a burst the socket has not written yet: look again later.
        this.suspectedAt = buffered;
        suspectSlow(this);
      }
    }
    return false;
  }

  /** @internal Called by the shared slow-client check (slow-check.ts). */
  confirmSlow(): boolean {
    const suspectedAt = this.suspectedAt;
    this.suspectedAt = undefined;
    if (this.closeReason || suspectedAt === undefined) return false;
    const buffered = this.transport.bufferedBytes;
    if (buffered <= this.maxBufferedBytes) return false;
    if (buffered >= suspectedAt) {
      this.shutdown('slow');
      return false;
    }
    // Still over, but draining: give it another period.
    this.suspectedAt = buffered;
    return true;
  }

  /** Ends the response (reason `"server"`). The client will reconnect after its retry delay. */
  close(): void {
    this.shutdown('server');
  }

  /**
   * Calls `listener` once when the stream closes, with the reason (and the error, for
   * `"error"`). Called at once if it is already closed. Returns a function that removes it.
   */
  onClose(listener: CloseListener): () => void {
    if (this.closeReason) {
      listener(this.closeReason);
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }

  /**
   * Sends every item of `source` as an event, honouring backpressure, until the source ends or
   * the client leaves; then the source is stopped (`return()` / `cancel()`).
   */
  async pipe(
    source: AsyncIterable<unknown> | ReadableStream<unknown>,
    options: SsePipeOptions = {},
  ): Promise<void> {
    const iterator = toIterator(source);
    let stop: () => void = noop;
    const stopped = new Promise<typeof STOPPED>((resolve) => {
      stop = () => resolve(STOPPED);
    });
    const removeListener = this.onClose(stop);
    let finished = false;
    try {
      while (!this.closed) {
        const step = await Promise.race([iterator.next(), stopped]);
        if (step === STOPPED) break;
        if (step.done) {
          finished = true;
          break;
        }
        if (this.closed) break;
        await this.send(step.value, { event: options.event });
      }
    } finally {
      removeListener();
      // A source that ended needs nothing more; one we leave early (the client left, an item
      // could not be framed) is stopped so its resources are released.
      if (!finished) stopSource(iterator);
    }
  }

  /** @internal Routes an error raised after the response started, then closes the stream. */
  fail(error: unknown): void {
    if (this.closeReason) return;
    try {
      this.reportError?.(error, this as unknown as SseStream);
    } finally {
      this.shutdown('error', error);
    }
  }

  private writeAndWait(frame: string): Promise<void> {
    this.writeFrame(frame);
    return this.writable();
  }

  /**
   * Resolves at once while the client keeps up, else once its buffer drains (or the stream
   * closes). `send()` waits on it; await it between `writeFrame()` calls to honour backpressure.
   */
  writable(): Promise<void> {
    if (!this.behind || this.closeReason) return RESOLVED;
    if (!this.drainWait) {
      let resolve: () => void = noop;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drainWait = { promise, resolve };
    }
    return this.drainWait.promise;
  }

  private releaseDrain(): void {
    this.behind = false;
    const wait = this.drainWait;
    this.drainWait = undefined;
    wait?.resolve();
  }

  private shutdown(reason: SseCloseReason, error?: unknown): void {
    if (this.closeReason) return;
    if (reason === 'server' || reason === 'error') {
      // What a channel published before this close is written before the end.
      flushOpenBatch();
      if (this.closeReason) return;
    }
    this.closeReason = reason;
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
    this.releaseDrain();
    // A slow client would hold its unsent bytes forever: drop them rather than end after them.
    if (reason === 'slow' || reason === 'client') this.transport.destroy();
    else this.transport.end();
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason, error);
  }
}

function noop(): void {}

function byteLength(chunk: SseChunk): number {
  return typeof chunk === 'string' ? utf8ByteLength(chunk) : chunk.byteLength;
}
