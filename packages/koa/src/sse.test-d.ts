import type { Context, Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannel, type SseStream } from '@sse/core';
import { sse } from './index';

describe('sse', () => {
  it('returns Koa middleware in every form', () => {
    const channel = createChannel();
    expectTypeOf(sse()).toEqualTypeOf<Middleware>();
    expectTypeOf(sse({ channel })).toEqualTypeOf<Middleware>();
    expectTypeOf(sse((_stream, _ctx) => undefined)).toEqualTypeOf<Middleware>();
  });

  it('types the handler, the channel function and ctx.sse', () => {
    sse((stream, ctx) => {
      expectTypeOf(stream).toEqualTypeOf<SseStream>();
      expectTypeOf(ctx).toEqualTypeOf<Context>();
      expectTypeOf(ctx.sse).toEqualTypeOf<SseStream | undefined>();
    });
    sse({
      channel: async (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        await Promise.resolve();
        return [];
      },
    });
  });
});
