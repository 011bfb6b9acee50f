import { SseError } from '@sse/core';
import { isCluster, type RedisClusterConnection, type RedisConnection } from './connection';
import { warn } from './outage';
import type { RedisSource } from './redis-link';

/** Options of `redisBackplane`. */
export interface RedisBackplaneOptions {
  /**
   * A Redis URL (`redis://host:6379/0`). Every backplane of one URL in a process shares two
   * connections, closed with the last of them.
   */
  url?: string;
  /**
   * A node-redis client of yours (connected or not): `createClient()`, or `createCluster()`
   * (then put a hash tag in `key`). Writes and reads go on it; live events on one duplicate
   * of it shared by every backplane of the client. Never closed by us.
   */
  client?: RedisConnection | RedisClusterConnection;
  /** The stream's key: every instance serving one channel uses the same key. */
  key: string;
  /**
   * How many of the most recent events the stream keeps for replay (`XADD MAXLEN =`).
   * @default 1000
   */
  maxLen?: number;
  /**
   * Called when Redis cannot be reached or answers with an error, once per outage.
   * Default: a process warning.
   */
  onError?: (error: unknown) => void;
}

/** The options checked, with defaults. */
export interface ResolvedRedisBackplaneOptions {
  source: RedisSource;
  key: string;
  maxLen: number;
  onError: (error: unknown) => void;
}

export function resolveOptions(options: RedisBackplaneOptions): ResolvedRedisBackplaneOptions {
  const { key, maxLen = 1000, onError = warn } = options;
  const source = checkSource('redisBackplane', options);
  if (typeof key !== 'string' || key === '') {
    throw new SseError('ERR_SSE_OPTIONS', `key must be a non-empty string, got ${String(key)}`);
  }
  if (source.client !== undefined && isCluster(source.client) && !/\{[^}]+\}/.test(key)) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `on Redis Cluster, key needs a hash tag so that its keys share a slot (e.g. "sse:{news}"), got ${JSON.stringify(key)}`,
    );
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
  return { source, key, maxLen, onError };
}

/** Checks `url` / `client`: exactly one, and usable. */
export function checkSource(
  name: string,
  options: { url?: unknown; client?: RedisConnection | RedisClusterConnection },
): RedisSource {
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new SseError('ERR_SSE_OPTIONS', `${name} needs exactly one of \`url\` or \`client\``);
  }
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
      throw new SseError(
        'ERR_SSE_OPTIONS',
        `url must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`,
      );
    }
    return { url };
  }
  if (typeof client?.sendCommand !== 'function') {
    throw new SseError('ERR_SSE_OPTIONS', 'client must be a node-redis client (no sendCommand)');
  }
  return { client };
}
