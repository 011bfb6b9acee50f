export { listen, type Listening } from './listen';
export { openRawSse, type RawSseOptions, type RawSseResponse } from './raw-client';
export { recordEventSource, type RecordingEventSource } from './event-source';
export { sleep, waitUntil } from './wait';
export type { SseTarget, SseTargetServer, SseTargetSetup } from './conformance/target';
