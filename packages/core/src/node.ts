import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { SseError } from './errors';
import { CONFLICTING_HEADERS, HTTP2_FORBIDDEN_HEADERS, sseHeaders } from './headers';
import { readLastEventId } from './last-event-id';
import { validateStreamOptions } from './options';
import { SseStream, type SseStreamOptions } from './stream';
import { nextTick } from 'node:process';
import { concatBytes, encodeText, utf8ByteLength } from './bytes';
import type { SseChunk, SseTransport, SseTransportSink } from './transport';

/** A request of `node:http` or of the `node:http2` compatibility API. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
/** A response of `node:http` or of the `node:http2` compatibility API. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Options of `openNodeStream`. */
export type NodeStreamOptions = SseStreamOptions;

// Compression middleware (`compression`) adds flush(); without it, frames sit in zlib.
type Flushable = { flush?: () => void };

/**
 * Starts an SSE response on a `node:http` / `node:http2` response and returns its stream.
 * Headers already set with `res.setHeader` (CORS, cookies, tracing) are kept.
 * Throws `SseError` (`ERR_SSE_HEADERS_SENT`) if the response has already started, and
 * `SseError` / `SseFormatError` for bad options, before anything is written.
 */
export function openNodeStream(
  req: NodeRequest,
  res: NodeResponse,
  options: NodeStreamOptions = {},
): SseStream {
  validateStreamOptions(options);
  if (res.headersSent) {
    throw new SseError(
      'ERR_SSE_HEADERS_SENT',
      'cannot open an SSE stream: the response has already started',
    );
  }
  const http2 = req.httpVersionMajor >= 2;
  // Only remove what is there: removing an absent transfer-encoding still turns off Node's
  // chunked encoding, leaving a keep-alive response with no framing.
  for (const name of CONFLICTING_HEADERS) if (res.hasHeader(name)) res.removeHeader(name);
  if (http2)
    for (const name of HTTP2_FORBIDDEN_HEADERS) if (res.hasHeader(name)) res.removeHeader(name);
  const response = res as ServerResponse & Flushable;
  // writeHead keeps headers set earlier (its own win on conflict) and, unlike setHeader, keeps
  // no per-response header table when there are none: less memory per idle connection.
  response.writeHead(200, sseHeaders(req.httpVersionMajor));
  let disconnect: () => void = () => {};
  const stream = new SseStream(
    (sink) => {
      const transport = new NodeTransport(response, typeof response.flush === 'function', sink);
      response.on('drain', () => transport.drained());
      // 'close' also follows our own end(); the stream ignores it once closed.
      disconnect = () => sink.disconnect();
      response.on('close', disconnect);
      return transport;
    },
    { ...options, lastEventId: readLastEventId(req.headers['last-event-id'], req.url) },
  );
  // The client may have left while the app got ready (auth, a channel lookup): 'close' has
  // then fired already and will not again, and the stream would wait for it forever.
  if (isGone(res)) disconnect();
  return stream;
}

/**
 * The transport over a node response. A class rather than an object literal: one small object
 * per connection, where a literal with a getter is a dictionary-mode object with four closures.
 *
 * The first write of a tick goes straight to the response; later writes of the same tick
 * (a `send()` loop) are joined and written once, on the next tick, as one chunk: one chunk
 * header and one writev entry for hundreds of small frames.
 */
class NodeTransport implements SseTransport {
  private pending: SseChunk[] | undefined;
  private pendingBytes = 0;
  private lastTick = -1;
  private owesDrain = false;
  private readonly highWaterMark: number;

  constructor(
    private readonly response: ServerResponse & Flushable,
    private readonly flushes: boolean,
    private readonly sink: SseTransportSink,
  ) {
    this.highWaterMark = response.writableHighWaterMark || DEFAULT_HIGH_WATER_MARK;
  }

  write(chunk: SseChunk): boolean {
    if (this.lastTick !== tick.current) {
      this.lastTick = tick.current;
      markTick();
      const below = this.response.write(chunk);
      if (this.flushes) this.response.flush!();
      return below;
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
    const below = this.response.write(joinChunks(pending, size));
    if (this.flushes) this.response.flush!();
    // Backpressure that came from held-back frames alone: node emits no 'drain' for it.
    if (below && this.owesDrain) this.drained();
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
/** Advanced once per tick in which any stream wrote; tells a tick's first write from the rest. */
const tick = { current: 0, marked: false };
let waiting: NodeTransport[] = [];

function markTick(): void {
  if (tick.marked) return;
  tick.marked = true;
  nextTick(endTick);
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

function isGone(res: NodeResponse): boolean {
  return 'stream' in res ? res.stream.destroyed : res.destroyed;
}
