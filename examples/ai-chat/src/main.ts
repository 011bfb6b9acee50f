import { createInstance } from './instance';

const port = Number(process.env.PORT ?? 3003);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const instance = createInstance({
  redisUrl,
  prefix: process.env.SSE_REDIS_PREFIX,
  tokenDelayMs: numberFrom(process.env.TOKEN_DELAY_MS),
  ttl: numberFrom(process.env.ANSWER_TTL_S),
});

const server = instance.app.listen(port, () => {
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  // "listening on PORT" is what the tests read to find a PORT=0 instance.
  console.log(`SSE AI chat listening on ${listening}: http://localhost:${listening}`);
  console.log(`answers shared through ${redisUrl} (Ctrl-C stops it)`);
});

// Ctrl-C (or a supervisor's SIGTERM) is the normal way to stop an example: exit 0, no noise.
function stop(): void {
  // SSE responses never end by themselves: close the streams, then the idle sockets.
  void instance.close().finally(() => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

function numberFrom(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}
