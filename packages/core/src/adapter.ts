// "@sse/core/adapter": what an adapter for a framework or server needs; applications use "@sse/core".
export { createSseRoute, type SseHandlerOptions, type SseRoute } from './adapter/route';
export { parseSseArguments } from './adapter/arguments';
export {
  resolveChannels,
  toChannelList,
  withChannelList,
  type SseChannelList,
  type SseChannelResult,
  type SseChannelSource,
  type SseOpenRequest,
  type SseSubscribable,
} from './adapter/channels';
export { runSseHandler, type SseHandler } from './adapter/run-handler';
export { errorStatus, isSseEnded } from './adapter/status';
export { createSseBody, createSseHeaders, type SseBody } from './web';
export { WebBodyTransport } from './web-transport';
export { sseHeaders, CONFLICTING_HEADERS, HTTP2_FORBIDDEN_HEADERS } from './headers';
export { readLastEventId } from './last-event-id';
export { validateStreamOptions, DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_BUFFERED_BYTES } from './options';
export type { SseChunk, SseTransport, SseTransportFactory, SseTransportSink } from './transport';
