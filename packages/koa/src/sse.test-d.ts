import Router from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannel, type SseStream } from '@sse/core';
import { sse, type KoaSseContext } from './index';

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
      expectTypeOf(ctx).toEqualTypeOf<KoaSseContext>();
      expectTypeOf(ctx).toMatchTypeOf<Context>();
      expectTypeOf(ctx.sse).toMatchTypeOf<SseStream>();
    });
    // A handler written for any Koa context still fits.
    sse((_stream: SseStream, _ctx: Context) => undefined);
    sse({
      channel: async (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        await Promise.resolve();
        return [];
      },
    });
  });

  it('types stream.state and ctx.sse.state by a type argument or the annotation of the handler', () => {
    const channel = createChannel();
    expectTypeOf(
      sse<{ userId: string }>((stream, ctx) => {
        stream.state.userId = ctx.get('x-user-id');
        expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
        expectTypeOf(ctx.sse.state.userId).toEqualTypeOf<string>();
      }),
    ).toEqualTypeOf<Middleware>();
    sse({ channel }, (stream: SseStream<{ userId: string }>, ctx) => {
      expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
      expectTypeOf(ctx).toMatchTypeOf<Context>();
    });
    sse<{ userId: string }>((stream) => {
      // @ts-expect-error userId is a string
      stream.state.userId = 42;
    });
  });

  it('types ctx.sse in a later middleware annotated with KoaSseContext', () => {
    const room = createChannel();
    const router = new Router();
    router.get('/room/events', sse({ channel: room }), (ctx: KoaSseContext<{ userId: string }>) => {
      ctx.sse.state.userId = ctx.get('x-user-id');
      expectTypeOf(ctx.sse.state.userId).toEqualTypeOf<string>();
    });
    new Koa().use(sse()).use((ctx: KoaSseContext<{ userId: string }>) => {
      expectTypeOf(ctx.sse.state.userId).toEqualTypeOf<string>();
    });
  });
});
