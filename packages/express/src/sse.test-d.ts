import type { Request, RequestHandler, Response } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { createChannel, type SseStream } from '@sse/core';
import { sse } from './index';

describe('sse', () => {
  it('returns an Express RequestHandler in every form', () => {
    const channel = createChannel();
    expectTypeOf(sse(() => undefined)).toEqualTypeOf<RequestHandler>();
    expectTypeOf(sse({ channel })).toEqualTypeOf<RequestHandler>();
    expectTypeOf(sse({ channel: [channel] }, async () => {})).toEqualTypeOf<RequestHandler>();
  });

  it('types the handler arguments and the channel function by Express', () => {
    sse((stream, req, res) => {
      expectTypeOf(stream).toEqualTypeOf<SseStream>();
      expectTypeOf(req).toEqualTypeOf<Request>();
      expectTypeOf(res).toEqualTypeOf<Response>();
    });
    sse({
      channel: (req) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        return undefined;
      },
    });
    // @ts-expect-error heartbeat is a number of milliseconds or false
    sse({ heartbeat: 'often' });
  });

  it('types stream.state by a type argument or by the annotation of the handler', () => {
    const channel = createChannel();
    expectTypeOf(
      sse<{ userId: string }>((stream, req) => {
        stream.state.userId = req.get('x-user') ?? 'anonymous';
        expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
      }),
    ).toEqualTypeOf<RequestHandler>();
    sse({ channel }, (stream: SseStream<{ userId: string }>, req) => {
      expectTypeOf(stream.state.userId).toEqualTypeOf<string>();
      expectTypeOf(req).toEqualTypeOf<Request>();
    });
    sse<{ userId: string }>((stream) => {
      // @ts-expect-error userId is a string
      stream.state.userId = 42;
    });
  });
});
