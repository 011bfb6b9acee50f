import { connect } from 'node:net';
import type { SingleReport } from './protocol';
import { SseReader } from './sse-reader';

/** One connection to `path` (`/single?n=count...`): time from the request to the last event. */
export async function single(port: number, path: string, count: number): Promise<SingleReport> {
  const started = performance.now();
  let ended = 0;
  let last = 0;
  let missing = 0;
  let outOfOrder = 0;
  let events = 0;
  await new Promise<void>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const reader = new SseReader({
      open: () => undefined,
      event: (seq) => {
        if (seq !== last + 1) {
          if (seq > last + 1) missing += seq - last - 1;
          else outOfOrder++;
        }
        last = seq;
        events++;
        if (seq === count) {
          ended = performance.now();
          socket.destroy();
          resolve();
        }
      },
    });
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  return {
    events,
    ms: (ended || performance.now()) - started,
    missing: missing + (count - events),
    outOfOrder,
  };
}
