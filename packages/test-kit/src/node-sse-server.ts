import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SseStream } from '@sse/core';
import { openNodeStream, type NodeStreamOptions } from '@sse/core/node';
import { listen, type Listening } from './listen';
import { waitUntil } from './wait';

/** A node:http server whose every request is answered with `openNodeStream`. */
export interface NodeSseServer extends Listening {
  /** Every stream opened so far, in order. */
  readonly streams: SseStream[];
  /** Resolves with the `index`-th stream (0-based) once it is open. */
  streamAt(index: number, timeoutMs?: number): Promise<SseStream>;
}

/** Stream options, or a function of the request returning them. */
export type NodeSseServerOptions =
  NodeStreamOptions | ((req: IncomingMessage) => NodeStreamOptions);

/**
 * Starts a real node:http server on 127.0.0.1 port 0 that opens an SSE stream for every
 * request and hands it to `onStream` (subscribe it, send, pipe...).
 */
export async function serveNodeSse(
  options: NodeSseServerOptions = {},
  onStream?: (stream: SseStream, req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<NodeSseServer> {
  const streams: SseStream[] = [];
  const server = createServer((req, res) => {
    const stream = openNodeStream(req, res, typeof options === 'function' ? options(req) : options);
    streams.push(stream);
    void Promise.resolve(onStream?.(stream, req, res)).catch((error: unknown) =>
      stream.fail(error),
    );
  });
  const listening = await listen(server);
  return {
    ...listening,
    streams,
    async streamAt(index, timeoutMs = 5000) {
      await waitUntil(() => streams.length > index, `stream #${index} to open`, timeoutMs);
      return streams[index]!;
    },
  };
}
