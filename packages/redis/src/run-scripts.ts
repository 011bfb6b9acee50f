/**
 * The Lua scripts of runs (redis-runs.ts). Every key of a run shares its topic's hash tag: one
 * Cluster slot. Events are published as `APPEND_SCRIPT` publishes them (entries.ts:
 * `decodeMessage`): `<id>\n<serialized><has event>\n<event>\n<data>`.
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
 * A batch of a run's events in one call: each `XADD` with the run's own id (never trimmed),
 * and published; the stream's ttl renewed once. KEYS: stream. ARGV: ttl ms, PUBLISH or
 * SPUBLISH, channel, then per event: id, data, serialized (0|1), event (empty: none).
 */
export const APPEND_MANY_SCRIPT = `
for i = 4, #ARGV, 4 do
  local id, data, serialized, event = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if event == '' then
    redis.call('XADD', KEYS[1], id, 'd', data, 's', serialized)
  else
    redis.call('XADD', KEYS[1], id, 'd', data, 's', serialized, 'e', event)
  end
  local flags = serialized .. (event == '' and '0' or '1')
  redis.call(ARGV[2], ARGV[3], id .. '\\n' .. flags .. '\\n' .. event .. '\\n' .. data)
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

/**
 * A page of a run: its oldest entry and up to ARGV[2] entries from ARGV[1] (an XRANGE start),
 * so a long run is replayed in bounded replies. KEYS: stream.
 */
export const READ_PAGE_SCRIPT = `
return {
  redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1),
  redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
}
`;
