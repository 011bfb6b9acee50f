import { SseError } from '@sse/core';
import type { RedisConnection } from './connection';

/** Options of `redisBackplane`. */
export interface RedisBackplaneOptions {
  /** A Redis URL (`redis://host:6379/0`); the backplane opens and closes its connections. */
  url?: string;
  /**
   * A node-redis client of yours (connected or not). The backplane sends its writes and reads
   * on it, reads the live tail on a duplicate of it, and never closes it.
   */
  client?: RedisConnection;
  /** The stream's key: every instance serving one channel uses the same key. */
  key: string;
  /**
   * How many of the most recent events the stream keeps for replay (`XADD MAXLEN =`).
   * @default 1000
   */
  maxLen?: number;
  /**
   * Called when Redis cannot be reached or answers with an error, once per outage for the
   * live tail (which retries on its own). Default: a process warning.
   */
  onError?: (error: unknown) => void;
}

/** The options checked, with defaults. */
export interface ResolvedRedisBackplaneOptions {
  url: string | undefined;
  client: RedisConnection | undefined;
  key: string;
  maxLen: number;
  onError: (error: unknown) => void;
}

export function resolveOptions(options: RedisBackplaneOptions): ResolvedRedisBackplaneOptions {
  const { url, client, key, maxLen = 1000, onError = warn } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new SseError('ERR_SSE_OPTIONS', 'redisBackplane needs exactly one of `url` or `client`');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `url must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
    );
  }
  if (client !== undefined && typeof client.sendCommand !== 'function') {
    throw new SseError('ERR_SSE_OPTIONS', 'client must be a node-redis client (no sendCommand)');
  }
  if (typeof key !== 'string' || key === '') {
    throw new SseError('ERR_SSE_OPTIONS', `key must be a non-empty string, got ${String(key)}`);
  }
  if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `maxLen must be a positive integer, got ${String(maxLen)}`,
    );
  }
  if (typeof onError !== 'function') {
    throw new SseError('ERR_SSE_OPTIONS', 'onError must be a function');
  }
  return { url, client, key, maxLen, onError };
}

function warn(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`@sse/redis: ${message}`, { code: 'SSE_REDIS' });
}
