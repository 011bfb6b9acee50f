import { createHub } from '@sse/core';
import { createApp, type ChatEvents } from './app';

const port = Number(process.env.PORT ?? 3002);
const hub = createHub<ChatEvents>({ history: 500 });

const server = createApp(hub).listen(port, () => {
  console.log(`SSE rooms chat on http://localhost:${port} (Ctrl-C stops it)`);
});

// Ctrl-C (or a supervisor's SIGTERM) is the normal way to stop an example: exit 0, no noise.
function stop(): void {
  // SSE responses never end by themselves: close the streams, then the idle sockets.
  hub.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
