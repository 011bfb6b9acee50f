import { createServer } from 'node:http';
import { createChannel } from '@sse/core';
import { sse } from '@sse/express';
import express from 'express';
import { sendSingle } from './core';
import { channelTarget } from './listen';
import { singleCount, type BenchTarget } from './types';

/** Ours on Express 5: `app.get('/events', sse({ channel }))`. */
export function createTarget(): BenchTarget {
  const channel = createChannel();
  const app = express();
  app.get('/events', sse({ channel }));
  app.get(
    '/single',
    sse((stream, req) => sendSingle(stream, singleCount(req.url))),
  );
  const server = createServer(app);
  return channelTarget(server, channel);
}
