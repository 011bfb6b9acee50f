import {
  SseError,
  type Backplane,
  type BrokerRuns,
  type RunStartOptions,
  type RunState,
} from '@sse/core';
import type { RedisMessageListener } from './connection';
import { topicBackplane } from './broker';
import type { RedisTopics } from './redis-topics';
import { topicKeys } from './topic-keys';

/** A run's stream is never trimmed by length: a run is finite, and expires with its `ttl`. */
const RUN_MAX_LEN = 100_000_000;

/**
 * A run starts over: its old events and trimmed mark go, its state reads "running".
 * KEYS: stream, trimmed mark, run state. ARGV: ttl ms.
 */
const START_SCRIPT = `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[3], 'status', 'running')
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return 1
`;

/**
 * A batch of a run's events in one call: each `XADD` with the run's own id (never trimmed) and
 * published as `APPEND_SCRIPT` publishes it (entries.ts: `decodeMessage`), the stream's ttl
 * renewed once. KEYS: stream. ARGV: ttl ms, PUBLISH or SPUBLISH, channel, then per event: id,
 * data, serialized (0|1), event (empty: none).
 */
const APPEND_MANY_SCRIPT = `
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

/** KEYS: run state. ARGV: status, final id, ttl ms. */
const FINISH_SCRIPT = `
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finalId', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * Runs on Redis: a run's state in a hash next to its stream (`<stream>:run`, the same hash
 * tag, so one Cluster slot), cancels on a channel next to its live channel
 * (`<stream>:cancel`), on the broker's connections. A run's stream is not trimmed to `maxLen`
 * and expires `ttl` after its last append.
 */
export class RedisRuns implements BrokerRuns {
  private readonly ttls = new Map<string, number>();

  constructor(
    private readonly topics: RedisTopics,
    private readonly prefix: string,
  ) {}

  backplane(topic: string, options: RunStartOptions): Backplane {
    const keys = topicKeys(this.prefix, topic);
    const backplane = topicBackplane(this.topics, keys, {
      maxLen: RUN_MAX_LEN,
      ttlMs: options.ttlMs,
    });
    // One script per batch: two commands per event (XADD, PUBLISH) and one round trip.
    backplane.appendMany = async (inputs) => {
      const args = [
        'EVAL',
        APPEND_MANY_SCRIPT,
        '1',
        keys.stream,
        String(options.ttlMs),
        this.topics.link.sharded ? 'SPUBLISH' : 'PUBLISH',
        keys.channel,
      ];
      const ids: string[] = [];
      for (const input of inputs) {
        const id = input.id;
        // A run gives every event its id: a batch has no `*` (one XADD cannot tell the next).
        if (id === undefined) {
          throw new SseError('ERR_SSE_BACKPLANE', 'appendMany() takes events with their ids');
        }
        ids.push(id);
        args.push(id, input.data, input.serialized ? '1' : '0', input.event ?? '');
      }
      await this.send(keys.stream, args);
      return ids;
    };
    return backplane;
  }

  async start(topic: string, options: RunStartOptions): Promise<void> {
    const keys = this.keys(topic);
    this.ttls.set(topic, options.ttlMs);
    await this.send(keys.stream, [
      'EVAL',
      START_SCRIPT,
      '3',
      keys.stream,
      keys.trimmed,
      keys.run,
      String(options.ttlMs),
    ]);
  }

  async finish(topic: string, state: RunState): Promise<void> {
    const keys = this.keys(topic);
    const ttlMs = this.ttls.get(topic) ?? 86_400_000;
    this.ttls.delete(topic);
    await this.send(keys.stream, [
      'EVAL',
      FINISH_SCRIPT,
      '1',
      keys.run,
      state.status,
      state.finalId ?? '',
      String(ttlMs),
    ]);
  }

  async state(topic: string): Promise<RunState | undefined> {
    const keys = this.keys(topic);
    const reply = (await this.send(keys.stream, ['HMGET', keys.run, 'status', 'finalId'])) as [
      string | null,
      string | null,
    ];
    const [status, finalId] = reply;
    if (status !== 'running' && status !== 'ended' && status !== 'failed') return undefined;
    return { status, finalId: finalId || undefined };
  }

  async cancel(topic: string): Promise<void> {
    const keys = this.keys(topic);
    const link = this.topics.link;
    await this.send(keys.stream, [link.sharded ? 'SPUBLISH' : 'PUBLISH', keys.cancel, '1']);
  }

  onCancel(topic: string, listener: () => void): () => void {
    const { cancel } = this.keys(topic);
    const link = this.topics.link;
    const entry: RedisMessageListener = () => listener();
    // A subscription that fails is reported by the link (onError); cancel then cannot reach.
    link.subscribe(cancel, entry).catch(() => undefined);
    return () => void link.unsubscribe(cancel, entry).catch(() => undefined);
  }

  private keys(topic: string) {
    const keys = topicKeys(this.prefix, topic);
    return { ...keys, run: `${keys.stream}:run`, cancel: `${keys.stream}:cancel` };
  }

  private async send(key: string, args: string[]): Promise<unknown> {
    await this.topics.link.ready();
    return this.topics.link.send(key, args);
  }
}
