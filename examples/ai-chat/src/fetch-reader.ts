import { createParser } from 'eventsource-parser';

/**
 * A reader of a run with `fetch`, for clients an `EventSource` does not fit: ones that must
 * send headers (an `Authorization` token), or run outside a browser. It resumes as a browser
 * does: after a dropped connection it asks again with `Last-Event-ID`, and gets exactly what it
 * missed.
 */

/** One event of a run, as the reader passes it on. */
export interface RunEvent {
  /** `message` for a token, `sse-end` / `sse-error` for the run's final event. */
  event: string;
  data: string;
  id: string | undefined;
}

/** Options of `followRun`. */
export interface FollowRunOptions {
  /** Called with every event of the run, in order, each once. */
  onEvent: (event: RunEvent) => void;
  /** Sent with every request (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** Resume after this id (one a previous reader got); omitted: the run from its start. */
  lastEventId?: string;
  /** Stops reading (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait before reconnecting, until the server sends its own `retry:`.
   * @default 1000
   */
  retryMs?: number;
  /**
   * How many reconnects in a row may get no event before the reader gives up.
   * @default 5
   */
  maxRetries?: number;
}

/** How a run's reading ended. */
export interface FollowedRun {
  /** The final event: `sse-end` or `sse-error`; undefined when the server answered 204 (the client had it already). */
  final: RunEvent | undefined;
  /** The id of the last event received: resume from it. */
  lastEventId: string | undefined;
  /** How many requests it took (1 when the connection never dropped). */
  requests: number;
}

const FINAL_EVENTS = new Set(['sse-end', 'sse-error']);

/**
 * Reads the run at `url` to its end, reconnecting with `Last-Event-ID` whenever the connection
 * drops. Rejects on a 4xx answer (no such run, not allowed) or after `maxRetries` reconnects in
 * a row that got nothing.
 */
export async function followRun(url: string, options: FollowRunOptions): Promise<FollowedRun> {
  const { signal, maxRetries = 5 } = options;
  let lastEventId = options.lastEventId;
  let retryMs = options.retryMs ?? 1000;
  let requests = 0;
  let fruitless = 0;
  for (;;) {
    signal?.throwIfAborted();
    requests++;
    let received = false;
    const outcome = await readOnce(url, options.headers, lastEventId, signal, {
      onEvent(event) {
        received = true;
        if (event.id !== undefined) lastEventId = event.id;
        options.onEvent(event);
      },
      onRetry(ms) {
        retryMs = ms;
      },
    }).catch((error: unknown) => {
      if (signal?.aborted || error instanceof RunRefusedError) throw error;
      return { final: undefined, complete: false }; // a network error: try again
    });
    if (outcome.final || outcome.complete) return { final: outcome.final, lastEventId, requests };
    fruitless = received ? 0 : fruitless + 1;
    if (fruitless > maxRetries) {
      throw new Error(`gave up on ${url} after ${maxRetries} reconnects that got nothing`);
    }
    await wait(retryMs, signal);
  }
}

/** A 4xx answer: asking again would get the same. */
export class RunRefusedError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`the run was refused with ${status}: ${body}`);
  }
}

interface ReadHandlers {
  onEvent(event: RunEvent): void;
  onRetry(ms: number): void;
}

/**
 * One request: resolves with the final event once it arrives, with `complete` on a 204, or
 * with neither when the response ended early. Rejects when the connection fails.
 */
async function readOnce(
  url: string,
  headers: Record<string, string> | undefined,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
  handlers: ReadHandlers,
): Promise<{ final: RunEvent | undefined; complete: boolean }> {
  const response = await fetch(url, {
    headers: {
      ...headers,
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    signal,
  });
  // The server has nothing after the id sent: it was the run's final event.
  if (response.status === 204) return { final: undefined, complete: true };
  if (response.status >= 400 && response.status < 500) {
    throw new RunRefusedError(response.status, await response.text());
  }
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);

  let final: RunEvent | undefined;
  const parser = createParser({
    onEvent({ event = 'message', data, id }) {
      if (final) return;
      const runEvent = { event, data, id };
      handlers.onEvent(runEvent);
      if (FINAL_EVENTS.has(event)) final = runEvent;
    },
    onRetry: handlers.onRetry,
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (final) break; // the server ends the response after it anyway
  }
  return { final, complete: false };
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      const reason: unknown = signal!.reason;
      reject(reason instanceof Error ? reason : new Error(String(reason)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
