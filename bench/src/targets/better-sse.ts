import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { createChannel, createSession, type Session } from 'better-sse';
import { makeEvent } from '../payload';
import { closeServer, listenServer } from './listen';
import { nextTurn, singleCount, singlePerTurn, type BenchTarget } from './types';

/** Peer: better-sse sessions registered on one better-sse Channel, sent with `broadcast`. */
export function createTarget(): BenchTarget {
  const channel = createChannel();
  const server = createServer((req, res) => {
    void createSession(req, res).then((session) => {
      if (req.url?.startsWith('/single')) return sendSingle(session, res, req.url);
      channel.register(session);
    });
  });
  return {
    listen: (backlog) => listenServer(server, backlog),
    broadcast(event) {
      // An explicit id spares better-sse its default of one random UUID per event.
      channel.broadcast(event.data, 'message', { eventId: String(event.seq) });
    },
    subscribers: () => channel.sessionCount,
    close: () => closeServer(server),
  };
}

// better-sse's push() has no backpressure signal of its own: wait for the response to drain.
async function sendSingle(session: Session, res: ServerResponse, url: string): Promise<void> {
  const n = singleCount(url);
  const perTurn = singlePerTurn(url);
  for (let seq = 1; seq <= n && session.isConnected; seq++) {
    session.push(makeEvent(seq).data, 'message', String(seq));
    if (res.writableNeedDrain) await once(res, 'drain');
    if (perTurn) await nextTurn();
  }
  res.end();
}
