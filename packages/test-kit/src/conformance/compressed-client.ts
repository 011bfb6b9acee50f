import { request } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { waitUntil } from '../wait';

/** An SSE response read by a client that accepts compression and decodes it as it arrives. */
export interface CompressedSseResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response's `Content-Encoding`, or `"identity"`. */
  encoding: string;
  /** Every event decoded so far. */
  events: EventSourceMessage[];
  /** Resolves once `count` events have been decoded. */
  waitForEvents(count: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  close(): void;
}

function decoderFor(encoding: string): Readable & NodeJS.WritableStream {
  switch (encoding) {
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new Error(`unexpected Content-Encoding ${encoding}`);
  }
}

/**
 * GETs `url` sending `Accept-Encoding: gzip, deflate, br` (as browsers do) and parses the body,
 * decompressing chunk by chunk, so a test sees each frame as soon as the server flushed it.
 */
export function openCompressedSse(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<CompressedSseResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, deflate, br', ...headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const encoding = String(res.headers['content-encoding'] ?? 'identity');
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (event) => events.push(event) });
      const body: Readable = encoding === 'identity' ? res : res.pipe(decoderFor(encoding));
      body.setEncoding('utf8');
      body.on('data', (chunk: string) => parser.feed(chunk));
      body.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        encoding,
        events,
        async waitForEvents(count, waitMs = 5000) {
          await waitUntil(
            () => events.length >= count,
            `${count} decoded events (have ${events.length}, encoding ${encoding})`,
            waitMs,
          );
          return events.slice(0, count);
        },
        close: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.end();
  });
}
