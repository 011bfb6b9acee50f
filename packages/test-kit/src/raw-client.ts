import { request } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One response read as raw bytes and parsed by a spec-compliant parser. */
export interface RawSseResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Every event parsed so far. */
  events: EventSourceMessage[];
  /** Every comment parsed so far. */
  comments: string[];
  /** The `retry:` values seen. */
  retries: number[];
  /** The decoded body so far. */
  text(): string;
  /** Resolves once `count` events have arrived (rejects after `timeoutMs`). */
  waitForEvents(count: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  /** Resolves once the body text satisfies `predicate`. */
  waitForText(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the response (or the socket closes). */
  ended: Promise<void>;
  /** Stops reading the socket (the client "stops reading"); the kernel buffers then fill. */
  pause(): void;
  resume(): void;
  /** Destroys the socket, as a client that vanishes. */
  close(): void;
}

/** Options of `openRawSse`. */
export interface RawSseOptions {
  headers?: Record<string, string>;
  method?: string;
  /** Fail the request if no response head arrives within this time. */
  timeoutMs?: number;
}

/**
 * GETs an SSE endpoint over a raw node:http request and parses the body with eventsource-parser,
 * keeping the raw text for wire-level assertions.
 */
export function openRawSse(url: string, options: RawSseOptions = {}): Promise<RawSseResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'text/event-stream', ...options.headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response from ${url} within ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const events: EventSourceMessage[] = [];
      const comments: string[] = [];
      const retries: number[] = [];
      let body = '';
      const waiters = new Set<() => void>();
      const notify = () => {
        for (const waiter of waiters) waiter();
      };
      const parser = createParser({
        onEvent: (event) => events.push(event),
        onComment: (comment) => comments.push(comment),
        onRetry: (retry) => retries.push(retry),
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        parser.feed(chunk);
        notify();
      });
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      });
      void ended.then(notify);
      let finished = false;
      void ended.then(() => (finished = true));
      const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> =>
        new Promise<T>((done, fail) => {
          const attempt = () => {
            const value = check();
            if (value !== undefined) {
              cleanup();
              done(value);
            } else if (finished) {
              cleanup();
              fail(new Error(`stream ended before ${what}; body so far:\n${body.slice(-2000)}`));
            }
          };
          const timeout = setTimeout(() => {
            cleanup();
            fail(
              new Error(
                `timed out after ${timeoutMs} ms waiting for ${what}; body so far:\n${body.slice(-2000)}`,
              ),
            );
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timeout);
            waiters.delete(attempt);
          };
          waiters.add(attempt);
          attempt();
        });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        retries,
        text: () => body,
        waitForEvents: (count, timeoutMs) =>
          waitFor(
            () => (events.length >= count ? events.slice(0, count) : undefined),
            `${count} events (have ${events.length})`,
            timeoutMs,
          ),
        waitForText: (predicate, timeoutMs) =>
          waitFor(() => (predicate(body) ? body : undefined), 'the expected text', timeoutMs),
        ended,
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
