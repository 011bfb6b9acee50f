import { concatBytes, encodeText, utf8ByteLength } from './bytes';
import { chunkOf, type ChunkSocket } from './http1-chunks';
import type { SseChunk, SseTransport, SseTransportSink } from './transport';

/**
 * What the node transport needs of a response: `ServerResponse`, `Http2ServerResponse`, or a
 * Node response a fetch-style server writes a body into. Structural, so that the root entry,
 * which hands bodies over to such responses, imports nothing from `node:*`.
 */
export interface WritableResponse {
  write(chunk: SseChunk): boolean;
  end(): void;
  destroy(): void;
  readonly writableLength: number;
  readonly writableHighWaterMark: number;
  /** Added by compression middleware (`compression`); without it, frames sit in zlib. */
  flush?: () => void;
}

/**
 * The transport over a node response. A class rather than an object literal: one small object
 * per connection, where a literal with a getter is a dictionary-mode object with four closures.
 *
 * The first write of a tick goes straight to the response (on HTTP/1.1, to its socket as a
 * chunk: http1-chunks.ts); later writes of the same tick
 * (a `send()` loop) are joined and written once, on the next tick, as one chunk: one chunk
 * header and one writev entry for hundreds of small frames.
 *
 * The owner calls `drained()` on the response's `'drain'`.
 */
export class NodeTransport implements SseTransport {
  private pending: SseChunk[] | undefined;
  private pendingBytes = 0;
  private lastTick = -1;
  private owesDrain = false;
  private readonly highWaterMark: number;
  private readonly flushes: boolean;
  /**
   * Where frames go once the response's head is out: its HTTP/1.1 socket, as chunks
   * (http1-chunks.ts), or `null` for the response itself; `undefined` until the first write.
   */
  protected socket: ChunkSocket | null | undefined;

  constructor(
    protected readonly response: WritableResponse,
    private readonly sink: SseTransportSink,
  ) {
    this.highWaterMark = response.writableHighWaterMark || DEFAULT_HIGH_WATER_MARK;
    this.flushes = typeof response.flush === 'function';
  }

  write(chunk: SseChunk): boolean {
    if (this.lastTick !== tick.current) {
      this.lastTick = tick.current;
      markTick();
      return this.writeOut(chunk);
    }
    if (this.pending === undefined) {
      this.pending = [];
      waiting.push(this);
    }
    this.pending.push(chunk);
    this.pendingBytes += typeof chunk === 'string' ? utf8ByteLength(chunk) : chunk.byteLength;
    if (this.pendingBytes + this.response.writableLength < this.highWaterMark) return true;
    this.owesDrain = true;
    return false;
  }

  get bufferedBytes(): number {
    return this.pendingBytes + this.response.writableLength;
  }

  /** Writes the frames held back this tick as one chunk. */
  writePending(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const size = this.pendingBytes;
    this.pending = undefined;
    this.pendingBytes = 0;
    const below = this.writeOut(joinChunks(pending, size));
    // Backpressure that came from held-back frames alone: node emits no 'drain' for it.
    if (below && this.owesDrain) this.drained();
  }

  private writeOut(chunk: SseChunk): boolean {
    const socket = this.socket;
    if (socket) {
      if (socket.destroyed) return false;
      // An empty chunk would end the body.
      return chunk.length === 0 || socket.write(chunkOf(chunk));
    }
    const below = this.response.write(chunk);
    if (this.flushes) this.response.flush!();
    else if (socket === undefined) this.socket = this.chunkSocket();
    return below;
  }

  /** The socket to write frames to as chunks, asked once the head is out; `null`: none. */
  protected chunkSocket(): ChunkSocket | null {
    return null;
  }

  drained(): void {
    this.owesDrain = false;
    this.sink.drain();
  }

  end(): void {
    this.writePending();
    this.response.end();
  }

  destroy(): void {
    this.pending = undefined;
    this.pendingBytes = 0;
    this.response.destroy();
  }
}

const DEFAULT_HIGH_WATER_MARK = 16 * 1024;
// A nextTick callback queued from a promise job waits for the promise jobs queued before it:
// a whole `await send()` loop is one tick. Read from globalThis: see WritableResponse.
const afterTick: (callback: () => void) => void =
  (globalThis as { process?: { nextTick?: (callback: () => void) => void } }).process?.nextTick ??
  queueMicrotask;

/** Advanced once per tick in which any transport wrote; tells a tick's first write from the rest. */
const tick = { current: 0, marked: false };
let waiting: NodeTransport[] = [];

function markTick(): void {
  if (tick.marked) return;
  tick.marked = true;
  afterTick(endTick);
}

function endTick(): void {
  tick.marked = false;
  tick.current++;
  const transports = waiting;
  waiting = [];
  for (const transport of transports) transport.writePending();
}

function joinChunks(chunks: readonly SseChunk[], size: number): SseChunk {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.every((chunk) => typeof chunk === 'string')) return chunks.join('');
  const bytes = chunks.map((chunk) => (typeof chunk === 'string' ? encodeText(chunk) : chunk));
  return concatBytes(bytes, size);
}
