import { SseError } from './errors';
import { assertRetry } from './framing';
import { timerPerStream } from './heartbeat';
import type { CheckedStreamOptions } from './stream-options';

/** Stream option defaults, as documented on `SseStreamOptions`. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * The `heartbeat` default on Bun. `Bun.serve` closes a connection that has been idle for its
 * `idleTimeout` (10 s by default), checked every 4 s: an idle stream is cut after 8 to 12 s.
 * A heartbeat is sent after between one and one and a quarter intervals of idleness: at most
 * 6.25 s here.
 */
export const BUN_DEFAULT_HEARTBEAT_MS = 5_000;

/** The heartbeat default of the runtime this runs on. */
function defaultHeartbeat(): number {
  return (globalThis as { Bun?: unknown }).Bun === undefined
    ? DEFAULT_HEARTBEAT_MS
    : BUN_DEFAULT_HEARTBEAT_MS;
}

interface RawStreamOptions {
  heartbeat?: number | false;
  maxBufferedBytes?: number;
  retry?: number;
}

/** Checks stream options once, at the call site's first use, and fills in defaults. */
export function validateStreamOptions(options: RawStreamOptions): CheckedStreamOptions {
  // On Workers a stream needs a timer and a write of its own to stay open and to notice a
  // client that left (heartbeat.ts): `false` would leave a gone client subscribed.
  const heartbeat =
    options.heartbeat === false && timerPerStream()
      ? DEFAULT_HEARTBEAT_MS
      : (options.heartbeat ?? defaultHeartbeat());
  if (heartbeat !== false && !(Number.isFinite(heartbeat) && heartbeat > 0)) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `heartbeat must be a positive number of milliseconds or false, got ${String(heartbeat)}`,
    );
  }
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!(Number.isFinite(maxBufferedBytes) && maxBufferedBytes > 0)) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `maxBufferedBytes must be a positive number of bytes, got ${String(maxBufferedBytes)}`,
    );
  }
  if (options.retry !== undefined) assertRetry(options.retry);
  return { heartbeat, maxBufferedBytes };
}
