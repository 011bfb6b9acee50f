import { BufferBudget } from './buffer-budget';
import { utf8ByteLength } from './bytes';
import { rejected, SseFormatError } from './errors';
import { formatEvent, type SseSerializer } from './framing';
import { scheduleHeartbeat, type HeartbeatTarget } from './heartbeat';
import { validateStreamOptions } from './options';
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
  /** The id the client last saw: the `Last-Event-ID` header, else the `lastEventId` query. */
  readonly lastEventId: string | undefined;
  private userState: State | undefined;

  private readonly transport: SseTransport;
  /** Created the first time the client is behind: most connections never are. */
  private budget: BufferBudget | undefined;
  private readonly maxBufferedBytes: number;
  private readonly serialize: SseSerializer | undefined;
  private readonly reportError: ((error: unknown, stream: SseStream) => void) | undefined;
  private readonly beat: StreamLink | undefined;
  private stopHeartbeat: (() => void) | undefined;
  private closeReason: SseCloseReason | undefined;
  private controller: AbortController | undefined;
  private listeners: CloseListener[] | undefined;
  private drainWait: { promise: Promise<void>; resolve: () => void } | undefined;
  /** A write returned false: the transport will call `drain` when it has room again. */
  private behind = false;

  /** @internal Use a binding. */
  constructor(connect: SseTransportFactory, init: SseStreamInit = {}) {
    const options = init.checked ?? validateStreamOptions(init);
    this.lastEventId = init.lastEventId;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.serialize = init.serialize;
    this.reportError = init.onError;
    const link = new StreamLink(this);
    this.transport = connect(link);
    // A transport may report its client gone while connecting: then no timer at all.
    if (options.heartbeat !== false && !this.closeReason) {
      this.beat = link;
      this.stopHeartbeat = scheduleHeartbeat(link, options.heartbeat);
    }
    // Flush at once so the client's `open` fires before the first event.
    this.writeFrame(formatEvent({ comment: '', retry: init.retry }));
  }

  /** Your own data for this connection (user id, subscriptions...). */
  get state(): State {
    // Created on first use: most idle connections never touch it.
    return (this.userState ??= {} as State);
  }

  set state(value: State) {
    this.userState = value;
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
   * when the client is behind or the stream is closed. This is the fan-out path: no promise.
   */
  writeFrame(frame: SseChunk): boolean {
    if (this.closeReason) return false;
    writeHeldFrames();
    const below = this.transport.write(frame);
    if (this.beat) this.beat.wroteSinceTick = true;
    if (below) return true;
    this.behind = true;
    this.budget ??= new BufferBudget(this.maxBufferedBytes);
    const verdict = this.budget.afterWrite(this.transport.bufferedBytes, byteLength(frame));
    if (verdict === 'slow') this.shutdown('slow');
    else if (verdict === 'watch') suspectSlow(this);
    return false;
  }

  /** @internal `true` while the client holds more unsent bytes than its budget. */
  get overBudget(): boolean {
    return this.budget?.watching === true && !this.closed;
  }

  /**
   * @internal Resolves once the client is within its budget again or the stream closed: a
   * publisher is paced by it.
   */
  withinBudget(): Promise<void> {
    return this.overBudget ? this.budget!.withinBudget() : RESOLVED;
  }

  /** @internal Called by the shared slow-client check (slow-check.ts); `true` to check again. */
  confirmSlow(): boolean {
    if (this.closeReason) return false;
    const verdict = this.budget?.check(this.transport.bufferedBytes) ?? 'clear';
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
    // `[listener]`, not `[]` then push: a push into an empty literal reserves 17 slots
    // (~150 bytes per idle connection; most have one or two listeners).
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
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
    if (!this.drainWait) {
      let resolve: () => void = noop;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drainWait = { promise, resolve };
    }
    return this.drainWait.promise;
  }

  /** @internal Routes an error raised after the response started, then closes the stream. */
  fail(error: unknown): void {
    if (this.closeReason) return;
    try {
      this.reportError?.(error, this as unknown as SseStream);
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

  private releaseDrain(): void {
    this.behind = false;
    if (this.budget?.watching) this.budget.drained(this.transport.bufferedBytes);
    const wait = this.drainWait;
    this.drainWait = undefined;
    wait?.resolve();
  }

  private shutdown(reason: SseCloseReason, error?: unknown): void {
    if (this.closeReason) return;
    if (reason === 'server' || reason === 'error') {
      // What a channel published before this close is written before the end.
      writeHeldFrames();
      if (this.closeReason) return;
    }
    this.closeReason = reason;
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
    this.releaseDrain();
    this.budget?.release();
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

/**
 * The stream's side of its transport and of the heartbeat wheel, in one small object per
 * connection (an object literal with closures per role cost ~250 bytes more per idle connection).
 */
class StreamLink implements SseTransportSink, HeartbeatTarget {
  wroteSinceTick = true;
  idleTicks = 0;

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
