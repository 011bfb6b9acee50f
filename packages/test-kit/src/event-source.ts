import { EventSource } from 'eventsource';

/** A real EventSource (the `eventsource` package) that records what a browser would see. */
export interface RecordingEventSource {
  source: EventSource;
  /** Every `message` and named event, in arrival order. */
  received: { type: string; data: string; lastEventId: string }[];
  opened: Promise<void>;
  /** Resolves once `count` events have been received. */
  waitFor(count: number, timeoutMs?: number): Promise<RecordingEventSource['received']>;
  close(): void;
}

/**
 * Opens an EventSource on `url` listening to `message` and the given named events.
 * The returned `opened` resolves on the first `open`.
 */
export function recordEventSource(
  url: string,
  eventNames: readonly string[] = [],
  init?: ConstructorParameters<typeof EventSource>[1],
): RecordingEventSource {
  const source = new EventSource(url, init);
  const received: RecordingEventSource['received'] = [];
  const waiters = new Set<() => void>();
  const record = (event: MessageEvent<string>) => {
    received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
    for (const waiter of waiters) waiter();
  };
  source.addEventListener('message', record);
  for (const name of eventNames) source.addEventListener(name, record);
  const opened = new Promise<void>((resolve) =>
    source.addEventListener('open', () => resolve(), { once: true }),
  );
  return {
    source,
    received,
    opened,
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received.slice(0, count));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for ${count} events; got ${received.length}: ${JSON.stringify(received.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => source.close(),
  };
}
