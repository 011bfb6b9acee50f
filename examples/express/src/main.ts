import { createApp } from './app';

const port = Number(process.env.PORT ?? 3000);

const server = createApp().listen(port, () => {
  console.log(`Express SSE example on http://localhost:${port} (Ctrl-C stops it)`);
});

// Ctrl-C (or a supervisor's SIGTERM) is the normal way to stop an example: exit 0, no noise.
function stop(): void {
  // SSE responses never end by themselves: close the open streams with the server.
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
