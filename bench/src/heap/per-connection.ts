/**
 * Which heap objects an idle SSE connection costs, per target: a server process with N idle
 * connections, heap snapshots (after GC) before and after connecting, summed by kind.
 * `tsx src/heap/per-connection.ts [connections] [targets...]`, e.g. `5000 raw core`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from '../child';
import type { ClientCommand, ConnectReport, ServerCommand } from '../protocol';
import { diffKinds, heapKinds, type HeapKind } from './snapshot-diff';

const PER_ADDRESS = 5000;
const SHOWN = 14;

async function snapshotsOf(id: string, connections: number): Promise<HeapKind[]> {
  const dir = mkdtempSync(join(tmpdir(), `heap-${id}-`));
  const server = new BenchChild<ServerCommand>('server.ts', [id], ['--expose-gc'], {
    BENCH_HEAP_SNAPSHOT: dir,
  });
  const client = new BenchChild<ClientCommand>('client.ts', []);
  try {
    const port = await server.ready;
    await client.ready;
    const open = async (count: number) => {
      const report = await client.call<ConnectReport>({
        cmd: 'connect',
        port,
        path: '/events',
        count,
        perAddress: PER_ADDRESS,
      });
      if (report.failed) throw new Error(`${report.failed} connections failed`);
      while ((await server.call<number>({ cmd: 'subscribers' })) !== count) await sleep(50);
    };
    // Warm the code paths (and their lazily built objects) before the baseline.
    await open(20);
    await client.call({ cmd: 'disconnect' });
    while ((await server.call<number>({ cmd: 'subscribers' })) !== 0) await sleep(50);
    await server.call({ cmd: 'memory' });
    await open(connections);
    await sleep(500);
    await server.call({ cmd: 'memory' });
    const [before, after] = readdirSync(dir)
      .sort()
      .map((f) => join(dir, f));
    return diffKinds(heapKinds(before!), heapKinds(after!));
  } finally {
    await client.stop({ cmd: 'exit' });
    await server.stop({ cmd: 'exit' });
    rmSync(dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const [n = '5000', ...ids] = process.argv.slice(2);
  const connections = Number(n);
  const targets = ids.length ? ids : ['raw', 'core'];
  const byTarget = new Map<string, HeapKind[]>();
  for (const id of targets) byTarget.set(id, await snapshotsOf(id, connections));
  const per = (k: HeapKind | undefined) =>
    k ? `${(k.count / connections).toFixed(2)} x, ${(k.bytes / connections).toFixed(0)} B` : '';
  const kinds = new Set<string>();
  for (const diff of byTarget.values()) for (const k of diff.slice(0, SHOWN)) kinds.add(k.kind);
  console.log(`| kind (per connection, ${connections} idle) | ${targets.join(' | ')} |`);
  console.log(`| --- | ${targets.map(() => '---').join(' | ')} |`);
  for (const kind of kinds) {
    const cells = targets.map((id) => per(byTarget.get(id)!.find((k) => k.kind === kind)));
    console.log(`| ${kind} | ${cells.join(' | ')} |`);
  }
  // What each target costs beyond the first, kind by kind.
  const [base, ...others] = targets;
  for (const id of others) {
    const baseKinds = new Map(byTarget.get(base!)!.map((k) => [k.kind, k]));
    const extra = byTarget
      .get(id)!
      .map((k) => ({
        kind: k.kind,
        count: k.count - (baseKinds.get(k.kind)?.count ?? 0),
        bytes: k.bytes - (baseKinds.get(k.kind)?.bytes ?? 0),
      }))
      .filter((k) => Math.abs(k.bytes) / connections >= 8)
      .sort((a, b) => b.bytes - a.bytes);
    console.log(`\n| ${id} - ${base} (per connection) | objects | bytes |\n| --- | --- | --- |`);
    for (const k of extra) {
      console.log(
        `| ${k.kind} | ${(k.count / connections).toFixed(2)} | ${(k.bytes / connections).toFixed(0)} |`,
      );
    }
  }
  const totals = targets.map((id) => {
    const sum = byTarget.get(id)!.reduce((s, k) => s + k.bytes, 0);
    return `${(sum / connections).toFixed(0)} B`;
  });
  console.log(`| total self size | ${totals.join(' | ')} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
