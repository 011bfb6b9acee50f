import { createChannel, type SseStream } from '@sse/core';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { fastifySse, ssePlugin, type FastifySseOptions } from './index';

describe('reply.sse types', () => {
  it('is declared on every FastifyReply and returns a promise', () => {
    expectTypeOf<FastifyReply['sse']>().returns.toEqualTypeOf<Promise<void>>();
  });

  it('gives the handler the stream, the request and the reply', () => {
    const app = Fastify();
    void app.register(ssePlugin, { heartbeat: 10_000 });
    app.get('/events', (_request, reply) =>
      reply.sse((stream, request, sameReply) => {
        expectTypeOf(stream).toEqualTypeOf<SseStream>();
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
        expectTypeOf(sameReply).toEqualTypeOf<FastifyReply>();
      }),
    );
  });

  it('types stream.state by a type argument or the annotation of the handler', () => {
    const app = Fastify();
    const channel = createChannel();
    void app.register(fastifySse);
    app.get('/me/events', (request, reply) =>
      reply.sse<{ userId: string }>((stream, sameRequest) => {
        stream.state.userId = sameRequest.headers['x-user-id']?.toString() ?? 'anonymous';
        expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
      }),
    );
    app.get('/room/events', (_request, reply) =>
      reply.sse({ channel }, (stream: SseStream<{ userId: string }>, request) => {
        expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
      }),
    );
    app.get('/wrong', (_request, reply) =>
      reply.sse<{ userId: string }>((stream) => {
        // @ts-expect-error userId is a string
        stream.state.userId = 42;
      }),
    );
  });

  it('takes channel as one channel, a list, or a function of the request', () => {
    const channel = createChannel<{ message: string }>();
    const options: FastifySseOptions[] = [
      { channel },
      { channel: [channel, createChannel()] },
      { channel: (request) => (request.url === '/all' ? [channel] : channel) },
      { channel: async () => Promise.resolve(undefined) },
    ];
    expectTypeOf(options).toEqualTypeOf<FastifySseOptions[]>();
  });

  it('rejects options that are not stream options', () => {
    const app = Fastify();
    // @ts-expect-error: retry is a number of ms
    void app.register(ssePlugin, { retry: 'soon' });
    app.get('/events', (_request, reply) =>
      // @ts-expect-error: maxBufferedBytes is a number of bytes
      reply.sse({ maxBufferedBytes: '1MB' }),
    );
  });
});
