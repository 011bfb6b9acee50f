export { listen, type Listening } from './listen';
export { openRawSse, type RawSseOptions, type RawSseResponse } from './raw-client';
export { recordEventSource, type RecordingEventSource } from './event-source';
export { sleep, waitUntil } from './wait';
export type { SseTarget, SseTargetServer, SseTargetSetup } from './conformance/target';
export { serveFetch } from './serve-fetch';
export { serveNodeSse, type NodeSseServer, type NodeSseServerOptions } from './node-sse-server';
export {
  openLeanSse,
  openStalledSocket,
  type LeanSseClient,
  type LeanSseOptions,
} from './lean-client';
export { collectGarbage, retainedMemory } from './memory';
export {
  openMemoryStream,
  useMemoryStreams,
  type MemoryStream,
  type MemoryStreamOptions,
} from './memory-stream';
export type { MemoryClientOptions, MemorySseClient } from './memory-client';
export {
  describeConformance,
  openCompressedSse,
  openHttp2Sse,
  recordCrossOriginEventSource,
  serveFetchHttp2,
  type CompressedSseResponse,
  type CrossOriginEventSource,
  type CrossOriginPage,
  type Http2SseResponse,
  type SseTargetChannel,
} from './conformance/index';
export { describeExampleApp, type ExampleAppServer } from './example-smoke';
export {
  describeCrossOrigin,
  type CrossOriginSetup,
  type CrossOriginTarget,
} from './cross-origin-suite';
export { describeRequests, type RequestSuiteSetup, type RequestSuiteTarget } from './request-suite';
export { expectHttp2ClientLeave } from './http2-client-leave';
export { useTestResources, type TestResources } from './test-resources';
export {
  expectAnsweredWithoutStream,
  expectEachEventAtOnce,
  type AnsweredResponse,
} from './stream-expectations';
export {
  BROWSER_TIMEOUT_MS,
  describeExamplePageInBrowser,
  describeInChromium,
  findChromium,
  openPage,
} from './example-browser';
export { churnClient, stitchReport, type ChurnResult } from './churn-client';
export { skipWithoutRedis, TEST_REDIS_URL } from './services';
export { freeLocalPort, startRedisServer, stopRedisServer } from './redis-server-process';
export { openSlowReader, readChunk, readSlowly, type SlowRead } from './slow-reader';
export {
  describeRuntimes,
  describeWithRuntime,
  useRuntime,
  RUNTIMES,
  type RuntimeContext,
} from './runtimes/suite';
export { bundleForRuntime, workspaceSources, type BundleOptions } from './runtimes/bundle';
export {
  runtimeBinary,
  startRuntime,
  type RuntimeName,
  type RuntimeServer,
  type StartRuntimeOptions,
} from './runtimes/launch';
export { FixtureClient } from './runtimes/fixture-client';
export { startDenoNpmApp } from './runtimes/npm-app';
export type { ServerProcess } from './runtimes/server-process';
