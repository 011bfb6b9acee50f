import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { REDIS_URL_ENV, REDIS_UNAVAILABLE_ENV } from './services';

/**
 * Vitest global setup: makes sure the tests that need Redis have one. A Redis answering at
 * 127.0.0.1:6379 (or at `SSE_REDIS_URL`, when set) is used as is; otherwise a `redis-server` of
 * the run's own is started on a free port and `SSE_REDIS_URL` points to it; without one either,
 * those tests are skipped (one line says why), except under CI, where the run fails instead.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[REDIS_URL_ENV]) return undefined;
  if (await answersPing('127.0.0.1', 6379)) return undefined;

  let own: ChildProcess | undefined;
  let port = 0;
  let failure: Error | undefined;
  // A free port can be taken between the check and the start: try a few.
  for (let attempt = 0; attempt < 3 && !own; attempt++) {
    port = await freePort();
    own = await startRedisServer(port).catch((error: Error) => {
      failure = error;
      return undefined;
    });
    if (failure?.message.includes('ENOENT')) break;
  }
  if (!own) {
    const error = failure ?? new Error('unknown failure');
    const reason =
      'no Redis answers at 127.0.0.1:6379 and no redis-server could be started ' +
      `(${error.message}): install Redis (Debian: apt-get install redis-server) or set ${REDIS_URL_ENV}`;
    if (process.env.CI) throw new Error(`The Redis tests cannot run under CI: ${reason}`);
    process.env[REDIS_UNAVAILABLE_ENV] = reason;
    process.stdout.write(`Skipping the tests that need Redis: ${reason}\n`);
    return undefined;
  }
  const server = own;
  process.env[REDIS_URL_ENV] = `redis://127.0.0.1:${port}`;
  process.stdout.write(
    `No Redis at 127.0.0.1:6379: the tests use a redis-server of their own on 127.0.0.1:${port}\n`,
  );
  // Should vitest die without running the teardown, Redis must not outlive it.
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);
  return async () => {
    process.off('exit', killOnExit);
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
}

/** Whether a Redis answers PING on host:port within a second. */
function answersPing(host: string, port: number): Promise<boolean> {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts `redis-server` without persistence and resolves once it accepts connections. */
function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
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
    const timer = setTimeout(() => fail(new Error('redis-server did not start in 10 s')), 10_000);
    child.once('error', (error) => fail(error));
    child.once('exit', (code) =>
      fail(new Error(`redis-server exited (${code}): ${output.trim()}`)),
    );
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
