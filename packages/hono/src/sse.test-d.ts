import { createChannel, type SseStream } from '@sse/core';
import { Hono, type Context, type Env, type Input } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { sse, type HonoSseOptions } from './index';

describe('sse types', () => {
  it('gives the handler the stream and a context typed by the generics', () => {
    type AppEnv = { Variables: { user: string } };
    const app = new Hono<AppEnv>();
    app.get(
      '/rooms/:room',
      sse<AppEnv, '/rooms/:room'>((stream, c) => {
        expectTypeOf(stream).toEqualTypeOf<SseStream>();
        expectTypeOf(c.req.param('room')).toEqualTypeOf<string>();
        expectTypeOf(c.get('user')).toEqualTypeOf<string>();
      }),
    );
  });

  it('fits any app and route without generics', () => {
    const app = new Hono<{ Variables: { user: string } }>().basePath('/api');
    app.get(
      '/events/:topic',
      sse({ heartbeat: false }, (_stream, c) => {
        expectTypeOf(c).toEqualTypeOf<Context<Env, string, Input>>();
      }),
    );
  });

  it('types stream.state by the annotation of the handler, or the fourth type argument', () => {
    type AppEnv = { Variables: { user: string } };
    const channel = createChannel();
    const app = new Hono<AppEnv>();
    app.get(
      '/me/events',
      sse({ channel }, (stream: SseStream<{ userId: string }>, c) => {
        stream.state.userId = c.req.header('x-user-id') ?? 'anonymous';
        expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
      }),
    );
    app.get(
      '/rooms/:room',
      sse<AppEnv, '/rooms/:room', Input, { room: string }>((stream, c) => {
        stream.state.room = c.req.param('room');
        expectTypeOf(stream.state.room).toEqualTypeOf<string>();
      }),
    );
    sse((stream: SseStream<{ userId: string }>) => {
      // @ts-expect-error userId is a string
      stream.state.userId = 42;
    });
  });

  it('takes channel as one channel, a list, or a function of the context', () => {
    const channel = createChannel<{ message: string }>();
    sse({ channel });
    sse({ channel: [channel, createChannel()] });
    sse({ channel: (c: Context) => (c.req.query('all') ? [channel] : channel) });
    sse({ channel: async () => Promise.resolve(undefined) });
    expectTypeOf<HonoSseOptions>().toHaveProperty('heartbeat');
    expectTypeOf<HonoSseOptions>().toHaveProperty('onError');
  });

  it('rejects options that are not stream options', () => {
    // @ts-expect-error: heartbeat is a number of ms or false
    sse({ heartbeat: 'often' });
    // @ts-expect-error: a channel has a subscribe method
    sse({ channel: 'news' });
  });
});
