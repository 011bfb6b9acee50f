import type { BenchTarget } from './types';

/** Every target: its id (for `--targets`), the label printed, and how to build it. */
export interface TargetInfo {
  id: string;
  label: string;
  /** `true` for our own bindings and adapters. */
  ours: boolean;
  /** Run only when named in `--targets` (it needs a service: Redis). */
  optIn?: boolean;
  /** Serves `/events` only: left out of the single-stream and batch workloads. */
  fanOutOnly?: boolean;
  load(): Promise<BenchTarget>;
}

// Each target is imported only in the server process that runs it, so one that fails to load
// (an adapter still being written, say) is reported as n/a and never breaks the others.
export const TARGETS: readonly TargetInfo[] = [
  {
    id: 'raw',
    label: 'raw node:http',
    ours: false,
    load: async () => (await import('./raw')).createTarget(),
  },
  {
    id: 'better-sse',
    label: 'better-sse',
    ours: false,
    load: async () => (await import('./better-sse')).createTarget(),
  },
  {
    id: 'hono-streamsse',
    label: 'hono streamSSE',
    ours: false,
    load: async () => (await import('./hono-streamsse')).createTarget(),
  },
  {
    id: 'fastify-sse',
    label: '@fastify/sse',
    ours: false,
    load: async () => (await import('./fastify-sse')).createTarget(),
  },
  {
    id: 'core',
    label: '@sse/core/node',
    ours: true,
    load: async () => (await import('./core')).createTarget(),
  },
  {
    id: 'core-before',
    label: '@sse/core/node (baseline)',
    ours: true,
    optIn: true,
    load: async () => (await import('./core-before')).createTarget(),
  },
  {
    id: 'express',
    label: '@sse/express',
    ours: true,
    load: async () => (await import('./express')).createTarget(),
  },
  {
    id: 'koa',
    label: '@sse/koa',
    ours: true,
    load: async () => (await import('./koa')).createTarget(),
  },
  {
    id: 'fastify',
    label: '@sse/fastify',
    ours: true,
    load: async () => (await import('./fastify')).createTarget(),
  },
  {
    id: 'hono',
    label: '@sse/hono',
    ours: true,
    load: async () => (await import('./hono')).createTarget(),
  },
  {
    id: 'redis',
    label: '@sse/core on @sse/redis',
    ours: true,
    optIn: true,
    fanOutOnly: true,
    load: async () => (await import('./redis')).createTarget(),
  },
  {
    id: 'hub-redis',
    label: '@sse/core hub on redisBroker',
    ours: true,
    optIn: true,
    fanOutOnly: true,
    load: async () => (await import('./hub-redis')).createTarget(),
  },
];

export function findTarget(id: string): TargetInfo | undefined {
  return TARGETS.find((target) => target.id === id);
}
