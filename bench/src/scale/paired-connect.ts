import type { ClientCommand, ConnectReport } from '../protocol';
import type { BenchChild } from '../child';
import type { RunContext, Server } from '../run-context';
import { startServer, waitForSubscribers } from '../run-context';
import { median } from '../stats';

/** Rounds of the paired measure: each connects raw once and the target once. */
const ROUNDS = 3;

/** The connect rates of a target and of raw node:http, measured in alternation. */
export interface PairedConnectRates {
  /** Connections per second of the target, median over the rounds. */
  perSec: number;
  /** Connections per second of raw node:http, median over the same rounds. */
  rawPerSec: number;
  /** Median over the rounds of target / raw, each round's two phases back to back. */
  ratio: number;
  /**
   * Server CPU (user + system) per connection accepted, µs, target and raw, medians over the
   * rounds: what a connect costs the server, steadier than the rate under a changing load.
   */
  cpuUsPerConn: number;
  rawCpuUsPerConn: number;
}

/**
 * Connect rate against raw node:http under the same load: both servers run side by side and
 * the client connects `n` to one, drops them, then `n` to the other, for `ROUNDS` rounds whose
 * order alternates (raw first, then the target first...), so that a load that changes during
 * the run weighs on both alike. Each phase uses source addresses of its own (no reuse of a
 * port still in TIME_WAIT).
 */
export async function pairedConnectRates(
  ctx: RunContext,
  id: string,
  n: number,
  perAddress: number,
  env: Record<string, string>,
): Promise<PairedConnectRates> {
  const raw = await startServer(ctx, 'raw', env);
  let target: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    target = await startServer(ctx, id, env);
    const addressesPerPhase = Math.ceil(n / perAddress) * perAddress;
    let phase = 0;
    const measure = async (server: Server, port: number): Promise<PhaseResult> => {
      const result = await connectPhase(ctx.client, server, port, n, perAddress, {
        addressBase: (PHASE_BASE + phase++) * addressesPerPhase,
      });
      return { perSec: n / (result.ms / 1000), cpuUsPerConn: result.cpuUs / n };
    };
    const ours: PhaseResult[] = [];
    const raws: PhaseResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        raws.push(await measure(raw.server, raw.port));
        ours.push(await measure(target.server, target.port));
      } else {
        ours.push(await measure(target.server, target.port));
        raws.push(await measure(raw.server, raw.port));
      }
    }
    return {
      perSec: median(ours.map((r) => r.perSec)),
      rawPerSec: median(raws.map((r) => r.perSec)),
      ratio: median(ours.map((r, i) => r.perSec / raws[i]!.perSec)),
      cpuUsPerConn: median(ours.map((r) => r.cpuUsPerConn)),
      rawCpuUsPerConn: median(raws.map((r) => r.cpuUsPerConn)),
    };
  } finally {
    await ctx.client.call({ cmd: 'disconnect' }).catch(() => undefined);
    await target?.server.stop({ cmd: 'exit' });
    await raw.server.stop({ cmd: 'exit' });
  }
}

/** Past the addresses the workload's other phases use (up to two workers). */
const PHASE_BASE = 2;

interface PhaseResult {
  perSec: number;
  cpuUsPerConn: number;
}

/**
 * Connects `n` clients, waits until the server has them all, drops them; the connect time and
 * the server's CPU time until it had them all.
 */
async function connectPhase(
  client: BenchChild<ClientCommand>,
  server: Server,
  port: number,
  n: number,
  perAddress: number,
  { addressBase }: { addressBase: number },
): Promise<{ ms: number; cpuUs: number }> {
  const before = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
  const report = await client.call<ConnectReport>({
    cmd: 'connect',
    port,
    path: '/events',
    count: n,
    perAddress,
    addressBase,
  });
  if (report.failed > 0) throw new Error(`${report.failed} of ${n} connections failed`);
  await waitForSubscribers(server, n);
  const after = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
  await client.call({ cmd: 'disconnect' });
  await waitForSubscribers(server, 0);
  const cpuUs = after.user - before.user + after.system - before.system;
  return { ms: report.ms, cpuUs };
}
