import { createDashboard } from './app';

const port = Number(process.env.PORT ?? 3001);
const redisUrl = process.env.REDIS_URL;
const dashboard = createDashboard({ redisUrl });

const server = dashboard.app.listen(port, () => {
  const shared = redisUrl ? `, feed shared through ${redisUrl}` : '';
  console.log(`SSE live dashboard on http://localhost:${port}${shared} (Ctrl-C stops it)`);
});

// Ctrl-C (or a supervisor's SIGTERM) is the normal way to stop a demo: close, exit 0, no noise.
function stop(): void {
  // SSE responses never end by themselves: close the streams, then the idle sockets.
  void dashboard.close().finally(() => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
