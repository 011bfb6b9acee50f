import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { makeEvent, type BenchEvent } from '../payload';
import { closeServer, listenServer } from './listen';
import { heartbeatMs, nextTurn, singleCount, singlePerTurn, type BenchTarget } from './types';

export const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
};

/** The frame raw node:http writes for an event. */
export function frameOf(event: BenchEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** The practical limit: node:http, frames serialized once, one `res.write` per frame per client. */
export function createTarget(): BenchTarget {
  const clients = new Set<ServerResponse>();
  const heartbeat = heartbeatMs();
  const server = createServer((req, res) => {
    res.writeHead(200, HEADERS);
    res.write(':\n\n');
    // `/channel-single` is the same for raw: writes awaiting `drain`.
    if (req.url?.startsWith('/single') || req.url?.startsWith('/channel-single')) {
      void sendSingle(res, singleCount(req.url), singlePerTurn(req.url));
      return;
    }
    clients.add(res);
    // As a hand-written server would: one timer per connection (the scale workload only).
    const timer = heartbeat ? setInterval(() => res.write(':\n\n'), heartbeat) : undefined;
    res.on('close', () => {
      clients.delete(res);
      clearInterval(timer);
    });
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    broadcast(event) {
      const frame = Buffer.from(frameOf(event));
      for (const res of clients) res.write(frame);
    },
    subscribers: () => clients.size,
    close: () => closeServer(server),
  };
}

async function sendSingle(res: ServerResponse, n: number, perTurn: boolean): Promise<void> {
  for (let seq = 1; seq <= n && !res.destroyed; seq++) {
    if (!res.write(frameOf(makeEvent(seq)))) await once(res, 'drain');
    if (perTurn) await nextTurn();
  }
  res.end();
}
