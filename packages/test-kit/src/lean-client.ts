import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { waitUntil } from './wait';

/** An SSE client that keeps counts, not the body: for tests that move many megabytes. */
export interface LeanSseClient {
  /** Events parsed so far. */
  readonly count: number;
  /** Body bytes received so far. */
  readonly bytes: number;
  /** The id of the last event received (`undefined` before any). */
  readonly lastId: string | undefined;
  /** `true` once the response ended or the socket closed. */
  readonly finished: boolean;
  /** Resolves when the response ends or the socket closes. */
  ended: Promise<void>;
  /** Resolves once `count` events have arrived. */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  pause(): void;
  resume(): void;
  /** Destroys the socket, as a client that vanishes. */
  close(): void;
}

/** Options of `openLeanSse`. */
export interface LeanSseOptions {
  headers?: Record<string, string>;
  /** Called with every parsed event (and nothing is kept otherwise). */
  onEvent?: (event: EventSourceMessage) => void;
  /** Fail if no response head arrives within this time. @default 5000 */
  timeoutMs?: number;
}

/** GETs an SSE endpoint, parses it with eventsource-parser and keeps only counters. */
export function openLeanSse(url: string, options: LeanSseOptions = {}): Promise<LeanSseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { accept: 'text/event-stream', ...options.headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response from ${url}`));
    }, options.timeoutMs ?? 5000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      let count = 0;
      let bytes = 0;
      let lastId: string | undefined;
      let finished = false;
      const parser = createParser({
        onEvent: (event) => {
          count++;
          if (event.id !== undefined) lastId = event.id;
          options.onEvent?.(event);
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        parser.feed(chunk);
      });
      const ended = new Promise<void>((done) => {
        const finish = () => {
          finished = true;
          done();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      resolve({
        get count() {
          return count;
        },
        get bytes() {
          return bytes;
        },
        get lastId() {
          return lastId;
        },
        get finished() {
          return finished;
        },
        ended,
        waitForCount: (wanted, timeoutMs = 10_000) =>
          waitUntil(() => count >= wanted, `${wanted} events (have ${count})`, timeoutMs, 5),
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.end();
  });
}

/**
 * Sends a GET for `url` over a bare TCP socket and never reads the answer: the kernel's
 * buffers fill, then the server's. The socket is returned paused; destroy it when done.
 */
export async function openStalledSocket(url: string): Promise<Socket> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.pause();
  socket.write(
    `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  return socket;
}
