/** What a transport accepts: text (encoded as UTF-8) or bytes already encoded. */
export type SseChunk = string | Uint8Array;

/**
 * The seam between SseStream and a runtime. A binding implements it over its response object
 * (node:http, node:http2, a web ReadableStream...); nothing else in the library sees a runtime.
 */
export interface SseTransport {
  /**
   * Queues a chunk for the client. Returns `false` when the transport's buffer is above its
   * high-water mark; the transport then calls `sink.drain()` once it has room again.
   */
  write(chunk: SseChunk): boolean;
  /** Bytes accepted by `write` and not yet handed to the network. */
  readonly bufferedBytes: number;
  /** Ends the response after what is queued. */
  end(): void;
  /** Drops the connection and whatever is still queued. */
  destroy(): void;
}

/** How a transport reports back to its stream. */
export interface SseTransportSink {
  /** The buffer went back under its high-water mark. */
  drain(): void;
  /** The client went away (or the connection failed with `error`). */
  disconnect(error?: unknown): void;
}

/** Builds a transport that reports to `sink`. */
export type SseTransportFactory = (sink: SseTransportSink) => SseTransport;
