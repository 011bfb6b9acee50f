import { createServer } from 'node:http';
import express from 'express';
import express4 from 'express4';
import cors from 'cors';
import { describe } from 'vitest';
import { describeCrossOrigin, describeRequests, listen } from '@sse/test-kit';
import { sse } from './index';

// The behaviours every adapter shares, written once in @sse/test-kit, run on Express.

describe.each([
  ['express 5', express],
  ['express 4', express4],
])('sse() on %s', (_name, createApp) => {
  describeCrossOrigin({
    name: 'cors()',
    async start({ origin, channel, handler }) {
      const app = createApp();
      app.use(cors({ origin, credentials: true }));
      // Every method reaches sse(): only cors() keeps a preflight from opening a stream.
      app.all(
        '/events',
        sse({ channel, heartbeat: false }, (stream, req) => handler(stream, req.headers.cookie)),
      );
      return listen(createServer(app));
    },
  });

  describeRequests({
    name: 'express routes and middleware',
    sessionCookie: 'session=abc; Path=/; HttpOnly',
    async start({ channelOf, channel, onError, handler }) {
      const app = createApp();
      app.use((_req, res, next) => {
        res.cookie('session', 'abc', { httpOnly: true });
        res.setHeader('X-Trace-Id', 'trace-42');
        res.setHeader('Content-Length', '5');
        next();
      });
      app.get(
        '/rooms/:room/events',
        sse({ channel: (req) => channelOf(String(req.params.room)), heartbeat: false }),
      );
      app.get(
        '/events',
        sse({ channel, onError, heartbeat: false }, (stream) => handler(stream)),
      );
      return listen(createServer(app));
    },
  });
});
