import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { makeEvent, type BenchEvent } from '../payload';
import { closeServer, listenServer } from './listen';
import { singleCount, type BenchTarget } from './types';

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
};

function frameOf(event: BenchEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** The practical limit: node:http, frames serialized once, one `res.write` per frame per client. */
export function createTarget(): BenchTarget {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    res.writeHead(200, HEADERS);
    res.write(':\n\n');
    if (req.url?.startsWith('/single')) {
      void sendSingle(res, singleCount(req.url));
      return;
    }
    clients.add(res);
    res.on('close', () => clients.delete(res));
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

async function sendSingle(res: ServerResponse, n: number): Promise<void> {
  for (let seq = 1; seq <= n && !res.destroyed; seq++) {
    if (!res.write(frameOf(makeEvent(seq)))) await once(res, 'drain');
  }
  res.end();
}
