/**
 * A runs producer process: `node --import tsx runs/producer.ts <target-id>`. One run at a
 * time; the orchestrator SIGKILLs it mid-run to see what readers get when a producer dies.
 */
import { exitSoon, failToStart, serveCommands } from '../child-ipc';
import type { ProducerCommand } from './protocol';
import { findRunsTarget, redisOfEnv, type RunProducer } from './targets';

// A library promise rejecting late (a publish during shutdown) must not end the benchmark.
process.on('unhandledRejection', () => undefined);

async function main(): Promise<void> {
  let producer: RunProducer;
  try {
    const info = findRunsTarget(process.argv[2] ?? '');
    if (!info) throw new Error(`unknown runs target ${process.argv[2]}`);
    producer = await info.producer(redisOfEnv());
  } catch (error) {
    failToStart(error);
    return;
  }
  serveCommands<ProducerCommand>(async (command) => {
    switch (command.cmd) {
      case 'open':
        return producer.open(command.name, command.tokens, command.perSecond, command.leaseMs);
      case 'produce':
        return producer.produce();
      case 'exit':
        await producer.close().catch(() => undefined);
        exitSoon();
        return undefined;
    }
  });
}

void main();
