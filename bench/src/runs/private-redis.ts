import { checkRedis, redisUrl } from '../redis-check';
// The repository's one helper for a throwaway redis-server (test-kit is not a bench dependency).
import {
  freeLocalPort,
  startRedisServer,
  stopRedisServer,
} from '../../../packages/test-kit/src/redis-server-process';

/** The Redis a runs measurement uses, and what it is (for the report). */
export interface RunsRedisServer {
  url: string;
  where: 'private' | 'shared';
  stop(): Promise<void>;
}

/**
 * `SSE_REDIS_URL` when set; else a redis-server of its own on a free port (Redis's counters
 * then count this workload alone, where the shared 127.0.0.1:6379 also serves whatever else
 * runs on the machine); else, with no `redis-server` installed, 127.0.0.1:6379.
 */
export async function openRunsRedis(): Promise<RunsRedisServer> {
  const shared = async (): Promise<RunsRedisServer> => {
    await checkRedis();
    return { url: redisUrl(), where: 'shared', stop: () => Promise.resolve() };
  };
  if (process.env.SSE_REDIS_URL) return shared();
  let port: number;
  try {
    port = await freeLocalPort();
    const child = await startRedisServer('redis-server', port);
    return {
      url: `redis://127.0.0.1:${port}`,
      where: 'private',
      stop: () => stopRedisServer(child),
    };
  } catch {
    return shared();
  }
}
