import { createHash } from 'node:crypto';
import type { RedisLink } from './redis-link';

/**
 * A read-only Lua script run by its SHA1 (`EVALSHA`), sent whole (`EVAL`) only when the server
 * does not know it (first use, `SCRIPT FLUSH`, a restart). Only for reads: a retry may run
 * after commands sent later, which would reorder writes.
 */
export class RedisReadScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(link: RedisLink, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await link.send(keys[0]!, ['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return link.send(keys[0]!, ['EVAL', this.source, ...tail]);
    }
  }
}

/**
 * One event appended, atomically: `XADD` with exact `MAXLEN` trimming that records the newest
 * id trimmed away (KEYS[2]), both keys expiring `ttl` ms after this publish (0: never), and the
 * stored event published on the topic's channel for the instances listening to it.
 *
 * Always sent whole (`EVAL`): after a `SCRIPT FLUSH` or a restart an `EVALSHA` would fail, and
 * its retry could land after appends sent later (even after another instance loaded the
 * script in between), giving one publisher's events ids out of call order.
 *
 * A new stream (the topic's first publish, or its first after Redis lost its history) starts
 * past every id a lost history of it can have held: a millisecond past Redis's clock, with the
 * microsecond as its sequence (each append takes more than one). Else a history lost and
 * published again within one millisecond would give its ids again, and a client resuming from
 * one would miss the new events instead of being told of the gap.
 *
 * KEYS: stream, trimmed mark. ARGV: maxLen, ttl ms, PUBLISH or SPUBLISH, channel, id (or *),
 * data, serialized (0|1), event (optional).
 */
export const APPEND_SCRIPT = `
local length = redis.call('XLEN', KEYS[1])
local excess = length + 1 - tonumber(ARGV[1])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  if #gone > 0 then redis.call('SET', KEYS[2], gone[#gone][1]) end
end
local id = ARGV[5]
if id == '*' and length == 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  local micros = tonumber(now[2])
  id = string.format('%.0f-%d', tonumber(now[1]) * 1000 + math.floor(micros / 1000) + 1, micros % 1000)
end
if ARGV[8] then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], id, 'd', ARGV[6], 's', ARGV[7], 'e', ARGV[8])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], id, 'd', ARGV[6], 's', ARGV[7])
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
local flags = ARGV[7] .. (ARGV[8] and '1' or '0')
redis.call(ARGV[3], ARGV[4], id .. '\\n' .. flags .. '\\n' .. (ARGV[8] or '') .. '\\n' .. ARGV[6])
return id
`;

/**
 * One atomic read: the newest id trimmed away (or false), the oldest and the newest entry kept,
 * and the entries from ARGV[1] (an XRANGE start) on.
 */
export const READ_AFTER = new RedisReadScript(`
return {
  redis.call('GET', KEYS[2]),
  redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1),
  redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1),
  redis.call('XRANGE', KEYS[1], ARGV[1], '+')
}
`);
