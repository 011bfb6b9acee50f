/**
 * The conformance suite: the same behaviour tests against every way of serving SSE.
 *
 * Adding a target (an adapter or a binding) takes one test file in its package:
 *
 * ```ts
 * // packages/<name>/src/<name>.conformance.test.ts
 * import { describeConformance, listen, type SseTarget } from '@sse/test-kit';
 *
 * const target: SseTarget = {
 *   name: '@sse/<name>',
 *   // Optional: set when `start({ http2: true })` can serve cleartext HTTP/2.
 *   http2: false,
 *   async start({ options, handler }) {
 *     // Serve GET /events with the adapter's sse(options, handler) on a real server:
 *     // pass `options` as they are (they may hold `channel`: one, a list, or a function)
 *     // and call `handler(stream)` with each opened stream.
 *     const server = http.createServer(app);
 *     const { url, close } = await listen(server); // 127.0.0.1, port 0
 *     return { url: `${url}/events`, close };
 *   },
 * };
 *
 * describeConformance(target);
 * ```
 *
 * Each area lives in its own file (framing, headers, flush, heartbeat, replay, disconnect,
 * slow-client, bad-input, shutdown, channels, options) and only talks to the target through
 * `start(setup)` and real clients on the URL it returns.
 */
import { describe } from 'vitest';
import { describeBadInput } from './bad-input';
import { describeChannels } from './channels';
import { describeDisconnect } from './disconnect';
import { describeFlush } from './flush';
import { describeFraming } from './framing';
import { useHarness } from './harness';
import { describeHeaders } from './headers';
import { describeHeartbeat } from './heartbeat';
import { describeOptions } from './options';
import { describeReplay } from './replay';
import { describeRequestErrors } from './request-errors';
import { describeRuns } from './runs';
import { describeShutdown } from './shutdown';
import { describeSlowClient } from './slow-client';
import type { SseTarget } from './target';

/** Declares the whole conformance suite (vitest `describe`/`it`) for one target. */
export function describeConformance(target: SseTarget): void {
  describe(`conformance: ${target.name}`, () => {
    const harness = useHarness(target);
    describeFraming(harness);
    describeHeaders(target, harness);
    describeFlush(harness);
    describeHeartbeat(harness);
    describeReplay(harness);
    describeDisconnect(harness);
    describeSlowClient(harness);
    describeBadInput(harness);
    describeRequestErrors(harness);
    describeRuns(harness);
    describeShutdown(harness);
    describeChannels(harness);
    describeOptions(harness);
  });
}

export type { SseTarget, SseTargetChannel, SseTargetServer, SseTargetSetup } from './target';
export { serveFetchHttp2 } from './serve-fetch-http2';
export { openCompressedSse, type CompressedSseResponse } from './compressed-client';
export { openHttp2Sse, type Http2SseResponse } from './http2-client';
export {
  recordCrossOriginEventSource,
  type CrossOriginEventSource,
  type CrossOriginPage,
} from './cross-origin-client';
