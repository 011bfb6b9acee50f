import type { SseStream } from '@sse/core';
import type { SseHandlerOptions } from '@sse/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Options of `reply.sse()` and defaults of the plugin: every stream option (`heartbeat`,
 * `maxBufferedBytes`, `retry`, `serialize`, `onError`) plus `channel`, which may be a function
 * of the request. Options given to `reply.sse()` win over the plugin's defaults.
 */
export type FastifySseOptions = SseHandlerOptions<FastifyRequest>;

/**
 * Runs once the stream is open; receives the stream, the request and the reply. `State` is the
 * type of `stream.state`, the data the handler keeps for this connection (it starts empty).
 */
export type FastifySseHandler<State extends object = Record<string, unknown>> = (
  stream: SseStream<State>,
  request: FastifyRequest,
  reply: FastifyReply,
) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Answers the request with a Server-Sent Events stream: `return reply.sse(options?, handler?)`.
     *
     * Resolves once the stream is open (the reply is then hijacked and fastify sends nothing
     * more). Rejects before anything is sent, so a returned or awaited call hands the error to
     * fastify's error handler: bad options (`ERR_SSE_OPTIONS`, `ERR_SSE_FORMAT`), a reply already
     * sent (`ERR_SSE_HEADERS_SENT`), or an error of the `channel` function. Errors raised once the
     * stream is open go to `onError` (default: `request.log.error`) and close the stream.
     *
     * `State` types `stream.state`: `reply.sse<{ userId: string }>((stream) => ...)`.
     */
    sse<State extends object = Record<string, unknown>>(
      handler: FastifySseHandler<State>,
    ): Promise<void>;
    sse<State extends object = Record<string, unknown>>(
      options?: FastifySseOptions,
      handler?: FastifySseHandler<State>,
    ): Promise<void>;
  }
}
