/**
 * A runs reader server process: `node --import tsx runs/server.ts <target-id>`, serving
 * `GET /runs/<name>` on a port it reports when ready.
 */
import { exitSoon, failToStart, serveCommands } from '../child-ipc';
import type { RunsServerCommand } from './protocol';
import { findRunsTarget, redisOfEnv, type RunReaderServer } from './targets';

// A library that rejects a write to a client that just left must not end the benchmark.
process.on('unhandledRejection', () => undefined);

async function main(): Promise<void> {
  let server: RunReaderServer;
  let port: number;
  try {
    const info = findRunsTarget(process.argv[2] ?? '');
    if (!info) throw new Error(`unknown runs target ${process.argv[2]}`);
    server = await info.server(redisOfEnv());
    port = await server.listen();
  } catch (error) {
    failToStart(error);
    return;
  }
  serveCommands<RunsServerCommand>(async () => {
    await server.close().catch(() => undefined);
    exitSoon();
  }, port);
}

void main();
