import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { recordEventSource, type RecordingEventSource } from '../event-source';
import { openRawSse, type RawSseOptions, type RawSseResponse } from '../raw-client';
import { FixtureClient } from './fixture-client';
import {
  runtimeBinary,
  startRuntime,
  type RuntimeName,
  type RuntimeServer,
  type StartRuntimeOptions,
} from './launch';
import { describeRuntimeChannels } from './suite-channels';
import { describeRuntimeRuns } from './suite-runs';
import { describeRuntimeTopics } from './suite-topics';
import { describeRuntimeWire } from './suite-wire';

/** What the runtime suite's tests get: the fixture in the runtime, and real clients. */
export interface RuntimeContext {
  runtime: RuntimeName;
  /**
   * The `heartbeat` of tests that want no comment on the wire: `false`, except on workerd, which
   * cancels as hung a request with an open body and nothing pending (a heartbeat timer is
   * pending work): there an interval longer than any test.
   */
  quiet: false | number;
  /** The fixture app of the running process (valid inside tests). */
  fixture(): FixtureClient;
  /** Opens a raw SSE request (closed after the test). */
  raw(url: string, options?: RawSseOptions): Promise<RawSseResponse>;
  /** Opens a real EventSource (closed after the test). */
  eventSource(url: string, eventNames?: readonly string[]): RecordingEventSource;
}

/** Every runtime the suite covers. */
export const RUNTIMES: readonly RuntimeName[] = ['bun', 'deno', 'workerd'];

/**
 * Declares `describe(name)` for a runtime whose binary is installed; where it is missing, fails
 * under CI (`process.env.CI`) and otherwise skips with one line saying why.
 */
export function describeWithRuntime(runtime: RuntimeName, name: string, body: () => void): void {
  if (runtimeBinary(runtime)) {
    describe(name, body);
    return;
  }
  const why = `${runtime} is not installed (its npm package's install script did not run)`;
  if (process.env.CI) {
    describe(name, () => {
      it('has the runtime installed', () => {
        throw new Error(`${why}: run \`npx -y pnpm@10.34.8 install\``);
      });
    });
  } else {
    console.warn(`skipping ${name}: ${why}`);
    describe.skip(name, body);
  }
}

/**
 * Starts `runtime` once for the enclosing `describe` (closed in `afterAll`) and gives its tests
 * clients that are closed after each test.
 */
export function useRuntime(
  runtime: RuntimeName,
  route: string,
  options?: StartRuntimeOptions,
): RuntimeContext {
  let server: RuntimeServer | undefined;
  let clients: (() => void)[] = [];
  beforeAll(async () => {
    server = await startRuntime(runtime, options);
  });
  afterEach(() => {
    for (const close of clients) close();
    clients = [];
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    runtime,
    quiet: runtime === 'workerd' ? 60_000 : false,
    fixture: () => new FixtureClient(server!.origin, route),
    async raw(url, options) {
      const response = await openRawSse(url, options);
      clients.push(() => response.close());
      return response;
    },
    eventSource(url, eventNames) {
      const source = recordEventSource(url, eventNames);
      clients.push(() => source.close());
      return source;
    },
  };
}

/**
 * The runtime suite: the conformance checks that make sense outside Node, for the endpoint
 * `route` of the fixture app (`/core/events`: `createResponse`; `/hono/events`: `@sse/hono`)
 * served by Bun, Deno and workerd, each a real server process read by real clients.
 */
export function describeRuntimes(route: string, label: string): void {
  for (const runtime of RUNTIMES) {
    describeWithRuntime(runtime, `${label} on ${runtime}`, () => {
      const context = useRuntime(runtime, route);
      describeRuntimeWire(context);
      describeRuntimeChannels(context);
      describeRuntimeTopics(context);
      describeRuntimeRuns(context);
    });
  }
}
