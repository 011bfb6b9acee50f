import { RedisReadScript } from './scripts';

/**
 * The Lua scripts of runs (redis-runs.ts). Every key of a run shares its topic's hash tag: one
 * Cluster slot. A producer's events are stored and published in packed batches
 * (run-batch.ts); the `sse-error` of a dead producer as one event, as `APPEND_SCRIPT` does
 * (entries.ts reads both).
 */

/**
 * A run starts over: its old events and trimmed mark go, its state reads "running", its
 * producer holds the lease. KEYS: stream, trimmed mark, state, lease. ARGV: ttl ms, lease ms.
 */
export const START_SCRIPT = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[3], 'status', 'running')
redis.call('PEXPIRE', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
return 1
`;

/** The end of a run; the lease goes. KEYS: state, lease. ARGV: status, final id, ttl ms. */
export const FINISH_SCRIPT = `
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finalId', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * The producer is alive: its lease renewed, while the run runs. Returns 0 when the run is not
 * running, 2 when it was cancelled (run-cancels.ts), else 1. KEYS: state, lease. ARGV: lease ms.
 */
export const RENEW_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
if redis.call('HEXISTS', KEYS[1], 'cancelled') == 1 then return 2 end
return 1
`;

/**
 * A cancel, only of a running run: recorded in its state, where its producer finds it even
 * when the message published for promptness did not reach it. Returns 1 if recorded, else 0.
 * KEYS: state. ARGV: PUBLISH or SPUBLISH, cancel channel.
 */
export const CANCEL_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'cancelled', '1')
redis.call(ARGV[1], ARGV[2], '1')
return 1
`;

/**
 * A running run whose lease passed: its producer died. Fails it once, whoever calls first:
 * appends and publishes `sse-error` (an id Redis gives, after every id of the run) and
 * records it as the final event. Returns its id, or false. KEYS: stream, state, lease.
 * ARGV: PUBLISH or SPUBLISH, channel, data.
 */
export const REAP_SCRIPT = `
if redis.call('HGET', KEYS[2], 'status') ~= 'running' then return false end
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[3], 's', '1', 'e', 'sse-error')
redis.call('HSET', KEYS[2], 'status', 'failed', 'finalId', id)
redis.call(ARGV[1], ARGV[2], id .. '\\n11\\nsse-error\\n' .. ARGV[3])
return id
`;

/**
 * A batch of a run's events in one call (run-batch.ts): one `XADD` per entry of packed events,
 * its id the id of its last event (a run's own ids: never trimmed), one message for the whole
 * batch, the stream's ttl renewed once. KEYS: stream. ARGV: ttl ms, PUBLISH or SPUBLISH,
 * channel, then per entry: its id, its number of events, the packed events.
 */
export const APPEND_MANY_SCRIPT = `
local packs = {}
for i = 4, #ARGV, 3 do
  redis.call('XADD', KEYS[1], ARGV[i], 'n', ARGV[i + 1], 'b', ARGV[i + 2])
  packs[#packs + 1] = ARGV[i + 2]
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call(ARGV[2], ARGV[3], '#' .. table.concat(packs))
return 1
`;

/**
 * A page of a run, in one read: its oldest entry, its newest entry, and the entries from
 * ARGV[1] (an XRANGE start) holding ARGV[2] events or more (or all there are), so a long run
 * is replayed in bounded replies. Entries are counted by their events (a batch entry's `n`,
 * else 1), except the first after an exclusive start: the reader drops those of its events
 * it has, so it is not counted towards the page. KEYS: stream.
 */
export const READ_PAGE = new RedisReadScript(`
local function events(entry)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' then return tonumber(fields[i + 1]) end
  end
  return 1
end
local limit = tonumber(ARGV[2])
local start = ARGV[1]
local uncounted = string.sub(start, 1, 1) == '('
local page = {}
local counted = 0
while counted < limit do
  local want = math.min(limit - counted + 1, 64)
  local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', want)
  for _, entry in ipairs(entries) do
    page[#page + 1] = entry
    if uncounted then uncounted = false else counted = counted + events(entry) end
    if counted >= limit then break end
  end
  if #entries < want then break end
  start = '(' .. entries[#entries][1]
end
return {
  redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1),
  redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1),
  page
}
`);
