import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createChannel } from '@sse/core';
import { sse } from '@sse/hono';
import { Hono } from 'hono';
import { publishSingle, sendSingle } from './core';
import { channelTarget } from './listen';
import { channelOptions, type BenchTarget } from './types';

/** Ours on Hono 4 and @hono/node-server: `app.get('/events', sse({ channel }))`. */
export function createTarget(): BenchTarget {
  const channel = createChannel(channelOptions());
  const app = new Hono();
  app.get('/events', sse({ channel }));
  app.get(
    '/single',
    sse((stream, c) => sendSingle(stream, c.req.url)),
  );
  app.get(
    '/channel-single',
    sse((stream, c) => publishSingle(stream, c.req.url)),
  );
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return channelTarget(server, channel);
}
