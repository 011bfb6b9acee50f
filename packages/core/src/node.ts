import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { SseError } from './errors';
import { CONFLICTING_HEADERS, HTTP2_FORBIDDEN_HEADERS, sseHeaders } from './headers';
import { readLastEventId } from './last-event-id';
import { validateStreamOptions } from './options';
import { SseStream, type SseStreamOptions } from './stream';
import { chunkSocketOf, type ChunkSocket } from './http1-chunks';
import { NodeTransport } from './node-transport';
import type { SseChunk, SseTransportSink } from './transport';

export { NodeTransport, type WritableResponse } from './node-transport';

/** A request of `node:http` or of the `node:http2` compatibility API. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
/** A response of `node:http` or of the `node:http2` compatibility API. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Options of `openNodeStream`. */
export type NodeStreamOptions = SseStreamOptions;

/**
 * Starts an SSE response on a `node:http` / `node:http2` response and returns its stream.
 * Headers already set with `res.setHeader` (CORS, cookies, tracing) are kept.
 * Throws `SseError` (`ERR_SSE_HEADERS_SENT`) if the response has already started, and
 * `SseError` / `SseFormatError` for bad options, before anything is written.
 */
export function openNodeStream<State extends object = Record<string, unknown>>(
  req: NodeRequest,
  res: NodeResponse,
  options: NodeStreamOptions = {},
): SseStream<State> {
  const checked = validateStreamOptions(options);
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
  const response = res as ServerResponse;
  // writeHead keeps headers set earlier (its own win on conflict) and, unlike setHeader, keeps
  // no per-response header table when there are none: less memory per idle connection.
  response.writeHead(200, sseHeaders(req.httpVersionMajor));
  let link: SseTransportSink | undefined;
  const stream = new SseStream<State>(
    (sink) => {
      link = sink;
      // 'close' also follows our own end(); the stream ignores it once closed. A bound
      // function, not a closure: it keeps no scope alive per idle connection.
      response.on('close', clientLeft.bind(sink));
      return new NodeResponseTransport(response, sink);
    },
    { ...options, checked, lastEventId: readLastEventId(req.headers['last-event-id'], req.url) },
  );
  // The client may have left while the app got ready (auth, a channel lookup): 'close' has
  // then fired already and will not again, and the stream would wait for it forever.
  if (isGone(res)) link?.disconnect();
  return stream;
}

function clientLeft(this: SseTransportSink): void {
  this.disconnect();
}

/**
 * The transport over a node:http or node:http2 response that `openNodeStream` uses, for
 * adapters that hand a body over to such a response: on HTTP/1.1 it writes frames to the
 * socket as chunks (http1-chunks.ts), and it listens for `'drain'` only once a write returned
 * `false`: most connections are never behind, and an idle one then holds no drain closure.
 */
export class NodeResponseTransport extends NodeTransport {
  private listening = false;

  protected override chunkSocket(): ChunkSocket | null {
    return chunkSocketOf(this.response, nodeWrite);
  }

  override write(chunk: SseChunk): boolean {
    const below = super.write(chunk);
    if (!below && !this.listening) {
      this.listening = true;
      // Frames written to the socket directly leave the response no 'drain' of its own.
      (this.socket ?? (this.response as ServerResponse)).once('drain', () => {
        this.listening = false;
        this.drained();
      });
    }
    return below;
  }
}

// What a response's `write` is when nothing replaced it (see chunkSocketOf). Looked up, not
// imported: @sse/hono bundles this file for runtimes without node:http, which write no chunks.
interface BuiltinLookup {
  getBuiltinModule?: (id: string) => { ServerResponse?: { prototype: { write: unknown } } };
}
const nodeWrite = (globalThis as { process?: BuiltinLookup }).process?.getBuiltinModule?.(
  'node:http',
)?.ServerResponse?.prototype.write;

function isGone(res: NodeResponse): boolean {
  return 'stream' in res ? res.stream.destroyed : res.destroyed;
}
