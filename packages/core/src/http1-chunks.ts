import { concatBytes, encodeText, utf8ByteLength } from './bytes';
import type { SseChunk } from './transport';

/**
 * Writing an SSE response's frames straight to its HTTP/1.1 socket, as the chunks node:http
 * would write. `res.write` makes four writes into the corked socket per call (size line, CRLF,
 * data, CRLF), joined into one `writev` on the next tick; one frame written to thousands of clients is the
 * same chunk for each of them, so it is framed once and written with one socket write each.
 */

/** What a direct write needs of the response's socket. */
export interface ChunkSocket {
  write(chunk: SseChunk): boolean;
  readonly destroyed: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** The fields of a node:http `ServerResponse` that tell whether its socket can be written. */
interface Http1Response {
  readonly write: unknown;
  readonly chunkedEncoding?: boolean;
  readonly _headerSent?: boolean;
  readonly socket?: (ChunkSocket & { readonly _httpMessage?: unknown }) | null;
}

/**
 * The socket to write chunks to, or `null` when every write must go through the response:
 * its `write` is not node:http's own (`nodeWrite`: compression middleware, an injected
 * test response whose socket discards what it gets), it is not chunked (HTTP/1.0, HEAD),
 * its head is not sent yet, or it is queued behind another response on the connection.
 */
export function chunkSocketOf(response: object, nodeWrite: unknown): ChunkSocket | null {
  const res = response as Http1Response;
  if (res.write !== nodeWrite || res.chunkedEncoding !== true || res._headerSent !== true) {
    return null;
  }
  const socket = res.socket;
  if (!socket || socket._httpMessage !== response || typeof socket.write !== 'function') {
    return null;
  }
  return socket;
}

const CRLF = encodeText('\r\n');

// A fan-out writes one frame to every subscriber in a row: frame it once.
let lastFrame: Uint8Array | undefined;
let lastChunk: Uint8Array = CRLF;

/** `frame` as one HTTP/1.1 chunk (the size line, the data, CRLF); `frame` is not empty. */
export function chunkOf(frame: SseChunk): SseChunk {
  if (typeof frame === 'string') {
    return `${utf8ByteLength(frame).toString(16)}\r\n${frame}\r\n`;
  }
  if (frame !== lastFrame) {
    const head = encodeText(`${frame.byteLength.toString(16)}\r\n`);
    lastChunk = concatBytes([head, frame, CRLF], head.byteLength + frame.byteLength + 2);
    lastFrame = frame;
  }
  return lastChunk;
}
