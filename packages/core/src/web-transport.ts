import { concatBytes, encodeText, utf8ByteLength } from './bytes';
import type { SseChunk, SseTransport, SseTransportSink } from './transport';

// The body's own queue holds almost nothing: chunks wait here, where writes coalesce, and are
// enqueued when the consumer asks for one. Sizes in bytes, for `bufferedBytes`.
const BODY_STRATEGY: QueuingStrategy<Uint8Array> = {
  highWaterMark: 0,
  size: (chunk) => chunk.byteLength,
};

/**
 * The transport behind `createSseBody`, and the underlying source of the response body.
 *
 * Writes are held here and handed to the body as one chunk per read: everything written since
 * the consumer last read, strings encoded once. A server that reads the body in a loop
 * (`@hono/node-server`, Bun, Deno) then does one read, one socket write and one chunk header
 * per batch instead of per event. One object per connection: no closures, and it listens to
 * the request's `abort` itself (`handleEvent`).
 */
export class WebBodyTransport implements SseTransport, UnderlyingDefaultSource<Uint8Array> {
  private sink: SseTransportSink | undefined;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** Strings written since the last bytes chunk, joined (V8 joins them without copying). */
  private text = '';
  /** Chunks written before `text`, in order; created on the first bytes chunk. */
  private parts: Uint8Array[] | undefined;
  private pendingBytes = 0;
  /** The consumer asked for a chunk when there was none: the next write goes straight out. */
  private reading = false;
  /** A write returned `false`: the sink is owed a `drain()`. */
  private blocked = false;
  private done = false;
  private cancelled = false;
  /** Told what the consumer reads, and when it waits on an empty body (`HandOffTransport`). */
  listener: { handedOut(chunk: Uint8Array): void; idle(): void } | undefined;

  constructor(
    private readonly signal: AbortSignal,
    private readonly highWaterMark: number,
  ) {}

  /** Builds the response body this transport writes to. */
  createBody(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(this, BODY_STRATEGY);
  }

  /** Connects the stream's sink (the `SseTransportFactory` step). */
  attach(sink: SseTransportSink): this {
    this.sink = sink;
    return this;
  }

  /** Starts watching the request for the client leaving; call once the stream exists. */
  watchRequest(): void {
    if (this.done) return;
    if (this.signal.aborted) this.sink?.disconnect();
    else this.signal.addEventListener('abort', this);
  }

  write(chunk: SseChunk): boolean {
    if (this.done) return false;
    if (typeof chunk === 'string') {
      this.text += chunk;
      this.pendingBytes += utf8ByteLength(chunk);
      if (this.reading && this.pendingBytes > 0) this.deliver(this.take());
    } else if (this.reading && this.pendingBytes === 0) {
      // A channel's batch to a client that keeps up: straight through, no copy.
      this.deliver(chunk);
    } else {
      if (this.text !== '') this.encodeText();
      (this.parts ??= []).push(chunk);
      this.pendingBytes += chunk.byteLength;
      if (this.reading) this.deliver(this.take());
    }
    if (this.bufferedBytes < this.highWaterMark) return true;
    this.blocked = true;
    return false;
  }

  get bufferedBytes(): number {
    if (this.done) return 0;
    // desiredSize is minus the bytes enqueued and not read yet (high-water mark 0).
    return this.pendingBytes - Math.min(this.controller?.desiredSize ?? 0, 0);
  }

  end(): void {
    if (this.done) return;
    this.finish();
    if (this.cancelled) return;
    if (this.pendingBytes > 0) this.controller!.enqueue(this.take());
    this.controller!.close();
  }

  destroy(): void {
    if (this.done) return;
    this.finish();
    this.text = '';
    this.parts = undefined;
    this.pendingBytes = 0;
    if (this.cancelled) return;
    // The client is gone and the server drops the body: an errored body would be reported
    // as a failed response on every disconnect (@hono/node-server 1.19 logs it).
    if (this.signal.aborted) return this.controller!.close();
    // error() drops whatever the client has not read yet; close() would keep it.
    this.controller!.error(new Error('SSE stream closed'));
  }

  /**
   * Stops watching the request and leaves the body to its consumer, which cancels it once the
   * connection it serves closes. For a body whose frames now go to the connection directly.
   */
  release(): void {
    if (!this.done) this.finish();
  }

  /** @internal Underlying source: keeps the body's controller. */
  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
  }

  /** @internal Underlying source: the consumer wants a chunk. */
  pull(): void {
    if (this.pendingBytes > 0) return this.deliver(this.take());
    this.reading = true;
    this.releaseIfBelow();
    this.listener?.idle();
  }

  /** @internal Underlying source: the consumer dropped the body. */
  cancel(): void {
    this.cancelled = true;
    this.sink?.disconnect();
  }

  /** @internal The request's `abort` event: the client left. */
  handleEvent(): void {
    this.sink?.disconnect();
  }

  private deliver(chunk: Uint8Array): void {
    this.reading = false;
    this.listener?.handedOut(chunk);
    this.controller!.enqueue(chunk);
    this.releaseIfBelow();
  }

  /** Owes the sink a drain once the client has read enough. */
  private releaseIfBelow(): void {
    if (this.blocked && this.bufferedBytes < this.highWaterMark) {
      this.blocked = false;
      this.sink?.drain();
    }
  }

  /** Everything pending, as one chunk; empties the pending state. */
  private take(): Uint8Array {
    if (this.text !== '') this.encodeText();
    const parts = this.parts!;
    let chunk = parts[0]!;
    if (parts.length > 1) {
      let size = 0;
      for (const part of parts) size += part.byteLength;
      chunk = concatBytes(parts, size);
    }
    this.parts = undefined;
    this.pendingBytes = 0;
    return chunk;
  }

  private encodeText(): void {
    (this.parts ??= []).push(encodeText(this.text));
    this.text = '';
  }

  private finish(): void {
    this.done = true;
    this.reading = false;
    this.signal.removeEventListener('abort', this);
  }
}
