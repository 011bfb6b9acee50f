import type { SseChunk, SseTransport, SseTransportSink } from '@sse/core/adapter';

/** How a memory connection finished: ended by the server, or dropped (by either side). */
export type MemoryFinish = 'end' | 'destroy';

/** What the connection hands its reader. */
export interface MemoryReader {
  /** Bytes taken off the connection (whole chunks, or a slice of one as bytes). */
  read(chunk: SseChunk): void;
  /** The connection finished; called once. */
  finish(how: MemoryFinish): void;
}

/**
 * The in-memory "socket" between an `SseStream` and a test's client: what the stream writes
 * stays unread until the client reads it, so `bufferedBytes`, the high-water mark and `drain`
 * behave as a real response's do. A client that reads takes everything unread on the next turn
 * of the event loop, as the network would; a paused one leaves it to pile up.
 */
export class MemoryConnection implements SseTransport {
  /** `write()` calls the stream made. */
  writes = 0;
  private unread: SseChunk[] = [];
  private unreadBytes = 0;
  private flowing: boolean;
  private scheduled = false;
  /** A write returned `false`: the sink is owed a `drain()`. */
  private blocked = false;
  private state: 'open' | 'ending' | MemoryFinish = 'open';
  private sink: SseTransportSink | undefined;

  constructor(
    private readonly reader: MemoryReader,
    private readonly highWaterMark: number,
    reading: boolean,
  ) {
    this.flowing = reading;
  }

  /** Connects the stream's sink (the `SseTransportFactory` step). */
  attach(sink: SseTransportSink): this {
    this.sink = sink;
    return this;
  }

  write(chunk: SseChunk): boolean {
    if (this.state !== 'open') return false;
    this.writes++;
    this.unread.push(chunk);
    this.unreadBytes += byteLength(chunk);
    this.schedule();
    if (this.unreadBytes < this.highWaterMark) return true;
    this.blocked = true;
    return false;
  }

  get bufferedBytes(): number {
    return this.state === 'destroy' ? 0 : this.unreadBytes;
  }

  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    if (this.unreadBytes === 0) this.finish('end');
    else this.schedule();
  }

  destroy(): void {
    if (this.state === 'end' || this.state === 'destroy') return;
    this.unread = [];
    this.unreadBytes = 0;
    this.finish('destroy');
  }

  /** Whether the client reads on its own (see `pause`/`resume`). */
  get reading(): boolean {
    return this.flowing;
  }

  pause(): void {
    this.flowing = false;
  }

  resume(): void {
    this.flowing = true;
    this.schedule();
  }

  /**
   * Takes up to `maxBytes` of what is unread now (a chunk cut in two is handed over as bytes)
   * and owes the sink its `drain()` once the rest is under the high-water mark. Returns the
   * bytes read.
   */
  read(maxBytes = Infinity): number {
    let taken = 0;
    while (this.unread.length > 0 && taken < maxBytes) {
      let chunk = this.unread[0]!;
      const size = byteLength(chunk);
      if (taken + size > maxBytes) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const cut = maxBytes - taken;
        this.unread[0] = bytes.subarray(cut);
        chunk = bytes.subarray(0, cut);
      } else {
        this.unread.shift();
      }
      const read = Math.min(size, maxBytes - taken);
      taken += read;
      this.unreadBytes -= read;
      this.reader.read(chunk);
    }
    if (this.blocked && this.unreadBytes < this.highWaterMark && this.state === 'open') {
      this.blocked = false;
      this.sink?.drain();
    }
    if (this.state === 'ending' && this.unreadBytes === 0) this.finish('end');
    return taken;
  }

  /** The client goes away (or its connection fails with `error`). */
  disconnect(error?: unknown): void {
    if (this.state === 'end' || this.state === 'destroy') return;
    this.flowing = false;
    this.sink?.disconnect(error);
    // A stream already ending does not destroy its transport: the connection is gone anyway.
    this.destroy();
  }

  private schedule(): void {
    if (!this.flowing || this.scheduled || this.unreadBytes === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.flowing) this.read();
    });
  }

  private finish(how: MemoryFinish): void {
    this.state = how;
    this.flowing = false;
    this.reader.finish(how);
  }
}

function byteLength(chunk: SseChunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}
