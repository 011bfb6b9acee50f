export { SseError, SseFormatError, type SseErrorCode } from './errors';
export {
  formatEvent,
  formatComment,
  serializeJson,
  type SseEventFields,
  type SseSerializer,
} from './framing';
export {
  SseStream,
  type SseCloseReason,
  type SseStreamOptions,
  type SseSendOptions,
  type SsePipeOptions,
} from './stream';
export {
  createChannel,
  type Channel,
  type ChannelOptions,
  type ChannelEvent,
  type ChannelPublishOptions,
  type ChannelSubscribeOptions,
  type ChannelStats,
  type ChannelCloseOptions,
  type SseEventMap,
  type SseEventName,
} from './channel';
export {
  memoryBackplane,
  type Backplane,
  type BackplaneEvent,
  type BackplaneAppendInput,
  type BackplaneReadResult,
  type MemoryBackplaneOptions,
} from './backplane';
export type { Broker } from './brokers/broker';
export {
  createResponse,
  createSseBody,
  createSseHeaders,
  type CreateResponseOptions,
  type SseBody,
} from './web';
export type { HandOffResponse } from './web-handoff';
export type { WritableResponse } from './node-transport';
export {
  parseSseArguments,
  resolveChannels,
  toChannelList,
  runSseHandler,
  type SseChannelSource,
  type SseHandler,
  type SseHandlerOptions,
  type SseSubscribable,
} from './handler';
export { subscribeAll, type SubscribeAllOptions } from './subscribe-all';
export { compareEventIds } from './event-id';
export { sseHeaders } from './headers';
export { readLastEventId } from './last-event-id';
export { validateStreamOptions, DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_BUFFERED_BYTES } from './options';
export type { SseChunk, SseTransport, SseTransportFactory, SseTransportSink } from './transport';
