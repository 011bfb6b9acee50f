import { BufferBudget } from './buffer-budget';
import { utf8ByteLength } from './bytes';
import { rejected, SseFormatError } from './errors';
import { formatEvent, type SseSerializer } from './framing';
import {
  cancelHeartbeat,
  scheduleHeartbeat,
  type HeartbeatTarget,
  type HeartbeatWheel,
} from './heartbeat';
import { DEFAULT_MAX_BUFFERED_BYTES, validateStreamOptions } from './options';
import { pipeSource } from './pipe';
import { suspectSlow } from './slow-check';
import type {
  SseCloseReason,
  SsePipeOptions,
  SseSendOptions,
  SseStreamInit,
} from './stream-options';
import type { SseChunk, SseTransport, SseTransportFactory, SseTransportSink } from './transport';
import { writeHeldFrames } from './write-order';

export type {
  SseCloseReason,
  SsePipeOptions,
  SseSendOptions,
  SseStreamOptions,
} from './stream-options';

type CloseListener = (reason: SseCloseReason, error?: unknown) => void;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * One client connection. Created by a binding (`openNodeStream`, `createResponse`, an adapter),
 * never directly.
 */
export class SseStream<State extends object = Record<string, unknown>> {
  private readonly transport: SseTransport;
  private readonly link: StreamLink;
  private closeReason: SseCloseReason | undefined;
  /** One listener on its own (the common case: no array), else all of them. */
  private listeners: CloseListener | CloseListener[] | undefined;
  /** A write returned false: the transport will call `drain` when it has room again. */
  private behind = false;
  /** What most idle connections never set, in one object created on first need. */
  private extra: StreamExtras<State> | undefined;

  /** @internal Use a binding. */
  constructor(connect: SseTransportFactory, init: SseStreamInit = {}) {
    const options = init.checked ?? validateStreamOptions(init);
    if (
      init.lastEventId !== undefined ||
      init.serialize !== undefined ||
      init.onError !== undefined ||
      options.maxBufferedBytes !== DEFAULT_MAX_BUFFERED_BYTES
    ) {
      this.extra = new StreamExtras(init, options.maxBufferedBytes);
    }
    const link = new StreamLink(this);
    this.link = link;
    this.transport = connect(link);
    // A transport may report its client gone while connecting: then no timer at all.
    if (options.heartbeat !== false && !this.closeReason) {
      scheduleHeartbeat(link, options.heartbeat);
    }
    // Flush at once so the client's `open` fires before the first event.
    this.writeFrame(formatEvent({ comment: '', retry: init.retry }));
  }

  /** The id the client last saw: the `Last-Event-ID` header, else the `lastEventId` query. */
  get lastEventId(): string | undefined {
    return this.extra?.lastEventId;
  }

  /** Your own data for this connection (user id, subscriptions...). */
  get state(): State {
    // Created on first use: most idle connections never touch it.
    return (this.more.userState ??= {} as State);
  }

  set state(value: State) {
    this.more.userState = value;
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
    const extra = this.more;
    if (!extra.controller) {
      extra.controller = new AbortController();
      if (this.closeReason) extra.controller.abort(this.closeReason);
    }
    return extra.controller.signal;
  }

  /** Bytes written to this client and not yet sent. */
  get bufferedBytes(): number {
    if (this.closed) return 0;
    writeHeldFrames();
    return this.transport.bufferedBytes;
  }

  /**
   * Sends one event. Resolves once the frame is in the socket's buffer, waiting for it to drain
   * under backpressure; on a closed stream it does nothing and resolves. Rejects with
   * `SseFormatError` (writing nothing) when a field cannot be framed or `data` is `undefined`.
   */
  send(data: unknown, options?: SseSendOptions): Promise<void> {
    let frame: string;
    try {
      if (data === undefined) {
        throw new SseFormatError('data', 'undefined cannot be sent; send null or a string');
      }
      frame = formatEvent(
        { data, event: options?.event, id: options?.id, retry: options?.retry },
        this.extra?.serialize,
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
   * when the client is behind or the stream is closed. This is the fan-out path: no promise.
   */
  writeFrame(frame: SseChunk): boolean {
    if (this.closeReason) return false;
    writeHeldFrames();
    const below = this.transport.write(frame);
    this.link.idleTicks = 0;
    if (below) return true;
    this.behind = true;
    const extra = this.more;
    // Created the first time the client is behind: most connections never are.
    extra.budget ??= new BufferBudget(extra.maxBufferedBytes);
    const verdict = extra.budget.afterWrite(this.transport.bufferedBytes, byteLength(frame));
    if (verdict === 'slow') this.shutdown('slow');
    else if (verdict === 'watch') suspectSlow(this);
    return false;
  }

  /** @internal `true` while the client holds more unsent bytes than its budget. */
  get overBudget(): boolean {
    return this.extra?.budget?.watching === true && !this.closed;
  }

  /**
   * @internal Resolves once the client is within its budget again or the stream closed: a
   * publisher is paced by it.
   */
  withinBudget(): Promise<void> {
    return this.overBudget ? this.extra!.budget!.withinBudget() : RESOLVED;
  }

  /** @internal Called by the shared slow-client check (slow-check.ts); `true` to check again. */
  confirmSlow(): boolean {
    if (this.closeReason) return false;
    const verdict = this.extra?.budget?.check(this.transport.bufferedBytes) ?? 'clear';
    if (verdict === 'slow') this.shutdown('slow');
    return verdict === 'watch';
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
    const listeners = this.listeners;
    if (listeners === undefined) this.listeners = listener;
    // `[a, b]`, not `[]` then push: a push into an empty literal reserves 17 slots.
    else if (typeof listeners === 'function') this.listeners = [listeners, listener];
    else listeners.push(listener);
    // A bound function keeps no scope: smaller than a closure over `this` and `listener`.
    return removeCloseListener.bind(this as SseStream<object>, listener);
  }

  /**
   * Sends every item of `source` as an event, honouring backpressure, until the source ends or
   * the client leaves; then the source is stopped (`return()` / `cancel()`).
   */
  pipe(
    source: AsyncIterable<unknown> | ReadableStream<unknown>,
    options: SsePipeOptions = {},
  ): Promise<void> {
    return pipeSource(this, source, options);
  }

  /**
   * Resolves at once while the client keeps up, else once its buffer drains (or the stream
   * closes). `send()` waits on it; await it between `writeFrame()` calls to honour backpressure.
   */
  whenDrained(): Promise<void> {
    if (!this.behind || this.closeReason) return RESOLVED;
    const extra = this.more;
    if (!extra.drainWait) {
      let resolve: () => void = noop;
      const promise = new Promise<void>((r) => (resolve = r));
      extra.drainWait = { promise, resolve };
    }
    return extra.drainWait.promise;
  }

  /** @internal Routes an error raised after the response started, then closes the stream. */
  fail(error: unknown): void {
    if (this.closeReason) return;
    try {
      this.extra?.reportError?.(error, this as unknown as SseStream);
    } catch {
      // An onError that throws must not keep the stream open.
    } finally {
      this.shutdown('error', error);
    }
  }

  private writeAndWait(frame: string): Promise<void> {
    this.writeFrame(frame);
    return this.whenDrained();
  }

  private get more(): StreamExtras<State> {
    return (this.extra ??= new StreamExtras({}, DEFAULT_MAX_BUFFERED_BYTES));
  }

  private releaseDrain(): void {
    this.behind = false;
    const extra = this.extra;
    if (!extra) return;
    if (extra.budget?.watching) extra.budget.drained(this.transport.bufferedBytes);
    const wait = extra.drainWait;
    extra.drainWait = undefined;
    wait?.resolve();
  }

  private removeListener(listener: CloseListener): void {
    const listeners = this.listeners;
    if (listeners === listener) this.listeners = undefined;
    else if (Array.isArray(listeners)) {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    }
  }

  private shutdown(reason: SseCloseReason, error?: unknown): void {
    if (this.closeReason) return;
    if (reason === 'server' || reason === 'error') {
      // What a channel published before this close is written before the end.
      writeHeldFrames();
      if (this.closeReason) return;
    }
    this.closeReason = reason;
    cancelHeartbeat(this.link);
    this.releaseDrain();
    this.extra?.budget?.release();
    // A slow client would hold its unsent bytes forever: drop them rather than end after them.
    if (reason === 'slow' || reason === 'client') this.transport.destroy();
    else this.transport.end();
    this.extra?.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners(reason, error);
    else if (listeners) for (const listener of listeners) listener(reason, error);
  }
}

function noop(): void {}

function removeCloseListener(this: SseStream<object>, listener: CloseListener): void {
  this['removeListener'](listener);
}

/** A stream's rarely set parts: options off their defaults, and what is created on demand. */
class StreamExtras<State> {
  readonly lastEventId: string | undefined;
  readonly serialize: SseSerializer | undefined;
  readonly reportError: ((error: unknown, stream: SseStream) => void) | undefined;
  userState: State | undefined = undefined;
  budget: BufferBudget | undefined = undefined;
  controller: AbortController | undefined = undefined;
  drainWait: { promise: Promise<void>; resolve: () => void } | undefined = undefined;

  constructor(
    init: SseStreamInit,
    readonly maxBufferedBytes: number,
  ) {
    this.lastEventId = init.lastEventId;
    this.serialize = init.serialize;
    this.reportError = init.onError;
  }
}

/**
 * The stream's side of its transport and of the heartbeat wheel, in one small object per
 * connection (an object literal with closures per role cost ~250 bytes more per idle connection).
 */
class StreamLink implements SseTransportSink, HeartbeatTarget {
  idleTicks = 0;
  wheel: HeartbeatWheel | undefined = undefined;

  constructor(private readonly stream: SseStream<object>) {}

  drain(): void {
    this.stream['releaseDrain']();
  }

  disconnect(error?: unknown): void {
    this.stream['shutdown'](error === undefined ? 'client' : 'error', error);
  }

  heartbeat(): void {
    this.stream.writeFrame(':\n\n');
  }
}

function byteLength(chunk: SseChunk): number {
  return typeof chunk === 'string' ? utf8ByteLength(chunk) : chunk.byteLength;
}
