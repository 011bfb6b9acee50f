import { createHash } from 'node:crypto';
import type { RedisConnection } from './connection';

/**
 * A Lua script run by its SHA1 (`EVALSHA`), sent whole (`EVAL`) only when the server does not
 * know it yet (first use, or after a restart).
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisConnection, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await redis.sendCommand(['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return redis.sendCommand(['EVAL', this.source, ...tail]);
    }
  }
}

/**
 * XADD with exact MAXLEN trimming that also records the newest id trimmed away (KEYS[2]), so a
 * reader can tell a client whose last event was trimmed from one that missed nothing.
 * ARGV: maxLen, id (or *), then the entry's field/value pairs.
 */
export const APPEND = new RedisScript(`
local excess = redis.call('XLEN', KEYS[1]) + 1 - tonumber(ARGV[1])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  if #gone > 0 then redis.call('SET', KEYS[2], gone[#gone][1]) end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], unpack(ARGV, 2))
`);

/**
 * One atomic read: the newest id trimmed away (or false), the oldest and the newest entry kept,
 * and the entries from ARGV[1] (an XRANGE start) on.
 */
export const READ_AFTER = new RedisScript(`
return {
  redis.call('GET', KEYS[2]),
  redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1),
  redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1),
  redis.call('XRANGE', KEYS[1], ARGV[1], '+')
}
`);
