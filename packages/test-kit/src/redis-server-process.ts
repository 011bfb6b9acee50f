import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** Whether a Redis answers PING on host:port within a second. */
export function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (answer: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/** A TCP port nothing listens on right now, on 127.0.0.1. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts `command` (a `redis-server`) on 127.0.0.1:`port` without persistence and resolves
 * once it accepts connections; rejects if it cannot start (not installed: `ENOENT`).
 */
export function startRedisServer(command: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    command,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${command} did not start in 10 s`)), 10_000);
    child.once('error', (error) => fail(error));
    child.once('exit', (code) => fail(new Error(`${command} exited (${code}): ${output.trim()}`)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeListener('data', onData);
      child.stdout.resume();
      child.stderr.resume();
      resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

/** Stops a server started by `startRedisServer` and waits until it has exited. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
