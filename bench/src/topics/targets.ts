import type { BenchEvent } from '../payload';

/**
 * One server of the topics workload: `GET /topics?user=u1&room=r1` follows both topics;
 * `publish` sends an event to one topic's subscribers (on every server with a broker).
 */
export interface TopicsTarget {
  listen(backlog: number): Promise<number>;
  publish(topic: string, event: BenchEvent): void;
  /** Streams open and subscribed (live) on this server. */
  subscribers(): number;
  close(): Promise<void>;
}

export interface TopicsTargetInfo {
  id: string;
  label: string;
  /** Server processes (2: on one Redis, each publishing half of the topics). */
  servers: 1 | 2;
  load(): Promise<TopicsTarget>;
}

export const TOPICS_TARGETS: readonly TopicsTargetInfo[] = [
  {
    id: 'topics-map',
    label: 'node:http Map<topic, Set<res>> (in-process limit)',
    servers: 1,
    load: async () => (await import('./map-target')).createMapTarget(),
  },
  {
    id: 'topics-hub',
    label: '@sse/core createHub, memoryBroker',
    servers: 1,
    load: async () => (await import('./hub-target')).createHubTarget(false),
  },
  {
    id: 'topics-pubsub',
    label: 'node-redis PUBLISH/SUBSCRIBE, 2 servers (transport limit, no history)',
    servers: 2,
    load: async () => (await import('./pubsub-target')).createPubSubTarget(),
  },
  {
    id: 'topics-hub-redis',
    label: '@sse/core createHub on redisBroker, 2 servers',
    servers: 2,
    load: async () => (await import('./hub-target')).createHubTarget(true),
  },
];

export function findTopicsTarget(id: string): TopicsTargetInfo | undefined {
  return TOPICS_TARGETS.find((target) => target.id === id);
}

export { redisUrl } from '../redis-check';

/** Keys of one run (set by the orchestrator, shared by its two servers). */
export const redisPrefix = () => process.env.BENCH_REDIS_PREFIX ?? 'sse-bench:';
