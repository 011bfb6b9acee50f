import { SseError } from './errors';
import { assertRetry } from './framing';

/** Stream option defaults, as documented on `SseStreamOptions`. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

interface RawStreamOptions {
  heartbeat?: number | false;
  maxBufferedBytes?: number;
  retry?: number;
}

/** Checks stream options once, at the call site's first use, and fills in defaults. */
export function validateStreamOptions(options: RawStreamOptions): {
  heartbeat: number | false;
  maxBufferedBytes: number;
} {
  const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT_MS;
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
