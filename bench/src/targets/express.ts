import { createServer } from 'node:http';
import { createChannel } from '@sse/core';
import { sse } from '@sse/express';
import express from 'express';
import { publishSingle, sendSingle } from './core';
import { channelTarget } from './listen';
import { channelOptions, streamOptions, type BenchTarget } from './types';

/** Ours on Express 5: `app.get('/events', sse({ channel }))`. */
export function createTarget(): BenchTarget {
  const channel = createChannel(channelOptions());
  const app = express();
  app.get('/events', sse({ channel, ...streamOptions() }));
  app.get(
    '/single',
    sse((stream, req) => sendSingle(stream, req.url)),
  );
  app.get(
    '/channel-single',
    sse((stream, req) => publishSingle(stream, req.url)),
  );
  const server = createServer(app);
  return channelTarget(server, channel);
}
