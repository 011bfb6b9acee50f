import { SseError, type SseStream } from '@sse/core';
import {
  isSseEnded,
  parseSseArguments,
  readLastEventId,
  resolveChannels,
  runSseHandler,
  validateStreamOptions,
  withChannelList,
  type SseSubscribable,
} from '@sse/core/adapter';
import { openNodeStream } from '@sse/core/node';
import type { FastifyReply } from 'fastify';
import type { Http2ServerRequest, Http2Session } from 'node:http2';
import type { FastifySseHandler, FastifySseOptions } from './options';

/** The streams one registration of the plugin has opened, so that `app.close()` ends them. */
export interface OpenStreams {
  /** Each open stream, with its HTTP/2 session when it has one. */
  readonly streams: Map<SseStream, Http2Session | undefined>;
  /** Set by the `preClose` hook: a stream opened after it is closed at once. */
  closing: boolean;
}

/** Per-call options over the plugin's defaults; an option left `undefined` keeps the default. */
export function mergeOptions(
  defaults: FastifySseOptions,
  options: FastifySseOptions,
): FastifySseOptions {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}

function assertNotSent(reply: FastifyReply): void {
  if (reply.sent || reply.raw.headersSent) {
    throw new SseError(
      'ERR_SSE_HEADERS_SENT',
      'reply.sse(): the reply has already been sent or hijacked; call reply.sse() once, instead of reply.send()',
    );
  }
}

/**
 * Ends every stream for `app.close()`. On Node < 24 an HTTP/2 server waits for its sessions to
 * close: each stream's session gets a graceful GOAWAY, so the client reconnects elsewhere.
 */
export function closeOpenStreams(open: OpenStreams): void {
  open.closing = true;
  for (const [stream, session] of open.streams) {
    stream.close();
    if (session && !session.closed) session.close();
  }
}

/**
 * The body of `reply.sse()`; see its TSDoc in options.ts. When `channel` is not a function, or
 * its function answers synchronously, the stream opens (and the reply is hijacked) before this
 * returns: an async route that forgot to `return reply.sse(...)` still streams, as fastify
 * sends nothing for a hijacked reply.
 */
export function openReplyStream(
  reply: FastifyReply,
  defaults: FastifySseOptions,
  open: OpenStreams,
  first: FastifySseOptions | FastifySseHandler | undefined,
  second: FastifySseHandler | undefined,
): Promise<void> {
  try {
    const { options, handler } = parseSseArguments<FastifySseOptions, FastifySseHandler>(
      first,
      second,
    );
    // The defaults were checked when the plugin was registered: only a call's own need it.
    const own = Object.keys(options).length > 0;
    const { channel, ...streamOptions } = own ? mergeOptions(defaults, options) : defaults;
    if (own) validateStreamOptions(streamOptions);
    assertNotSent(reply);
    const { headers, url } = reply.request;
    const lastEventId = readLastEventId(headers['last-event-id'], url);
    const opened = withChannelList(
      resolveChannels(channel, reply.request, { lastEventId }),
      (channels) => startStream(reply, streamOptions, open, channels, handler),
    );
    return opened instanceof Promise
      ? opened.catch((error) => noContent(reply, error))
      : Promise.resolve();
  } catch (error) {
    return noContent(reply, error);
  }
}

/**
 * A client that has all of a run (its final id) gets 204, so an EventSource stops there; any
 * other error goes on to fastify's error path.
 */
function noContent(reply: FastifyReply, error: unknown): Promise<void> {
  if (!isSseEnded(error)) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
    return Promise.reject(error);
  }
  reply.code(204).send();
  return Promise.resolve();
}

function startStream(
  reply: FastifyReply,
  streamOptions: Omit<FastifySseOptions, 'channel'>,
  open: OpenStreams,
  channels: readonly SseSubscribable[],
  handler: FastifySseHandler | undefined,
): void {
  // The channel function may have taken a while: the reply may have been sent meanwhile.
  assertNotSent(reply);
  const { request } = reply;
  // From here on fastify sends nothing: no onSend hooks, no serializer, no compression.
  reply.hijack();
  // Headers set with reply.header() (by @fastify/cors and other hooks) live on the reply
  // until fastify sends it; a hijacked reply must carry them over itself.
  const headers = reply.getHeaders();
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
  const stream = openNodeStream(request.raw, reply.raw, {
    ...streamOptions,
    onError:
      streamOptions.onError ?? ((error) => request.log.error({ err: error }, 'SSE stream failed')),
  });
  if (open.closing) {
    stream.close();
    return;
  }
  // On HTTP/2 (`fastify({ http2: true })`) the raw request is an Http2ServerRequest.
  const { stream: h2stream } = request.raw as unknown as Partial<Http2ServerRequest>;
  open.streams.set(stream, h2stream?.session);
  stream.onClose(() => open.streams.delete(stream));
  runSseHandler(stream, channels, handler, [request, reply]);
}
