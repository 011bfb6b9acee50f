import { SseError } from '@sse/core';
import type { RedisClusterConnection, RedisConnection } from './connection';
import { warn } from './outage';
import type { RedisSource } from './redis-link';
import { checkSource } from './options';

/** Options of `redisBroker`. */
export interface RedisBrokerOptions {
  /** A Redis URL (`redis://host:6379/0`); the broker opens (and `close()` closes) two connections. */
  url?: string;
  /**
   * A node-redis client of yours: `createClient()` (one server; the broker adds one duplicate
   * connection for live events) or `createCluster()` (Redis Cluster). Never closed by the broker.
   */
  client?: RedisConnection | RedisClusterConnection;
  /**
   * Put before every key and channel: a topic `room:1` is the stream `<prefix>{room:1}`.
   * @default "sse:"
   */
  prefix?: string;
  /**
   * How many of the most recent events each topic keeps for replay (`XADD MAXLEN =`).
   * @default 1000
   */
  maxLen?: number;
  /**
   * Seconds a topic's history is kept after its last publish.
   * @default 86400
   */
  ttl?: number;
  /**
   * Called when Redis cannot be reached or answers with an error, once per outage.
   * Default: a process warning.
   */
  onError?: (error: unknown) => void;
}

/** The options checked, with defaults. */
export interface ResolvedRedisBrokerOptions {
  source: RedisSource;
  prefix: string;
  maxLen: number;
  ttlMs: number;
  onError: (error: unknown) => void;
}

export function resolveBrokerOptions(options: RedisBrokerOptions): ResolvedRedisBrokerOptions {
  const { prefix = 'sse:', maxLen = 1000, ttl = 86_400, onError = warn } = options;
  const source = checkSource('redisBroker', options);
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `prefix must be a string without braces (the topic is the hash tag), got ${JSON.stringify(prefix)}`,
    );
  }
  if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `maxLen must be a positive integer, got ${String(maxLen)}`,
    );
  }
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `ttl must be a positive number of seconds, got ${String(ttl)}`,
    );
  }
  if (typeof onError !== 'function') {
    throw new SseError('ERR_SSE_OPTIONS', 'onError must be a function');
  }
  return { source, prefix, maxLen, ttlMs: Math.ceil(ttl * 1000), onError };
}
