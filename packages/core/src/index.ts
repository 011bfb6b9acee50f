export { SseError, SseFormatError, type SseErrorCode, type SseErrorOptions } from './errors';
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
export { subscribeAll, type SubscribeAllOptions } from './subscribe-all';
export {
  memoryBackplane,
  type Backplane,
  type BackplaneEvent,
  type BackplaneAppendInput,
  type BackplaneReadResult,
  type MemoryBackplaneOptions,
} from './backplane';
export type { Broker, BrokerRuns, RunStartOptions, RunState, RunStatus } from './brokers/broker';
export { memoryBroker, type MemoryBrokerOptions } from './brokers/memory-broker';
export { createHub } from './topics/hub';
export type { Hub, HubOptions, HubStats } from './topics/hub-types';
export type { Run, RunOptions, RunPublishOptions } from './topics/run-types';
export { createResponse, type CreateResponseOptions } from './web';
export { compareEventIds } from './event-id';
export type { SseSubscribable } from './adapter/channels';
