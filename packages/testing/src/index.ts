export { collectEvents, type CollectOptions, type SseTestEvent } from './collect';
export { readEvents, type ReadEventsOptions, type SseTestTarget } from './read-events';
export { readResponseEvents } from './response';
export type { SseReading } from './reading';
export { sseParser } from './supertest';
