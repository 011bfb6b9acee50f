import { createServer } from 'node:http';
import { createChannel } from '@sse/core';
import { sse } from '@sse/koa';
import Koa from 'koa';
import { publishSingle, sendSingle } from './core';
import { channelTarget } from './listen';
import { channelOptions, type BenchTarget } from './types';

/** Ours on Koa 3: the `sse()` middleware, routed by path. */
export function createTarget(): BenchTarget {
  const channel = createChannel(channelOptions());
  const events = sse({ channel });
  const single = sse((stream, ctx) => sendSingle(stream, ctx.url));
  const viaChannel = sse((stream, ctx) => publishSingle(stream, ctx.url));
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.path === '/single') await single(ctx, next);
    else if (ctx.path === '/channel-single') await viaChannel(ctx, next);
    else await events(ctx, next);
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  return channelTarget(server, channel);
}
