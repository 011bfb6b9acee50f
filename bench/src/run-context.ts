import { mkdirSync } from 'node:fs';
import { BenchChild } from './child';
import type { BenchOptions } from './options';
import type { ClientCommand, ConnectReport, ServerCommand } from './protocol';
import type { Failure, Sample } from './samples';
import { WINDOW_PROFILE_ENV } from './window-profile';

const READY_TIMEOUT_MS = 30_000;

export type Server = BenchChild<ServerCommand>;
export type Client = BenchChild<ClientCommand>;

/** What every workload runner gets: the options, the client process, where samples go. */
export interface RunContext {
  options: BenchOptions;
  client: Client;
  profileDir: string;
  record(sample: Sample): void;
  fail(failure: Failure): void;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Forks a server process running target `id`; resolves once it listens. */
export function startServer(
  ctx: RunContext,
  id: string,
  env: Record<string, string> = {},
): Promise<{ server: Server; port: number }> {
  return startChild<ServerCommand>(ctx, 'server.ts', id, env).then(({ child, port }) => ({
    server: child,
    port,
  }));
}

/**
 * Forks `script` (relative to bench/src) for target `id`; resolves once it is ready, with the
 * port it listens on (0 if none). Profiled with `--profile`.
 */
export async function startChild<Command extends { cmd: string }>(
  ctx: RunContext,
  script: string,
  id: string,
  env: Record<string, string> = {},
): Promise<{ child: BenchChild<Command>; port: number }> {
  const flags = ['--expose-gc'];
  if (ctx.options.profile) {
    // One directory per server: tsx's loader thread writes a profile of its own beside it.
    const dir = `${ctx.profileDir}/${id}-${Date.now()}`;
    mkdirSync(dir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    env = { ...env, [WINDOW_PROFILE_ENV]: dir };
  }
  const child = new BenchChild<Command>(script, [id], flags, env);
  let timer: NodeJS.Timeout | undefined;
  // A server waiting on a service that is not there (Redis) must not hang the run.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${id} did not start within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
  });
  try {
    return { child, port: await Promise.race([child.ready, timeout]) };
  } catch (error) {
    await child.stop({ cmd: 'exit' } as Command);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export async function waitForSubscribers(server: Server, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await server.call<number>({ cmd: 'subscribers' });
    if (now === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} subscribers, server has ${now}`);
    await sleep(20);
  }
}

/** Opens `count` more connections to `path`, then waits until the server has `total`. */
export async function connect(
  ctx: RunContext,
  server: Server,
  port: number,
  path: string,
  count: number,
  total: number,
  perAddress?: number,
  client: Client = ctx.client,
): Promise<ConnectReport> {
  const report = await client.call<ConnectReport>({
    cmd: 'connect',
    port,
    path,
    count,
    perAddress,
  });
  if (report.failed > 0) throw new Error(`${report.failed} of ${count} connections failed`);
  await waitForSubscribers(server, total);
  return report;
}
