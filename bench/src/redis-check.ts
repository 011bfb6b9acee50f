import { connect } from 'node:net';

/** Redis for the targets on it: `SSE_REDIS_URL`, else the local default. */
export const redisUrl = () => process.env.SSE_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Rejects with a clear message unless something accepts connections at Redis's address, so a
 * workload on Redis fails at once instead of waiting out its timeouts.
 */
export function checkRedis(url = redisUrl(), timeoutMs = 2000): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port) || 6379 });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`Redis is not reachable at ${url} (${why}): start it or set SSE_REDIS_URL`));
    };
    socket.setTimeout(timeoutMs, () => fail('timeout'));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
