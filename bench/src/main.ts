/**
 * `pnpm bench`: our bindings and their peers side by side, on loopback, servers and clients in
 * separate processes, repetitions interleaved, medians and ratios to raw node:http.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPackages } from './build';
import { BenchChild } from './child';
import { describeMachine } from './machine';
import { parseOptions, type Workload } from './options';
import { renderProfile, summarizeProfileDir } from './profile';
import type { ClientCommand } from './protocol';
import { renderReport } from './report';
import { batchDelay, batchDelayTargets, describeBatch } from './batch-delay';
import type { RunContext } from './run-context';
import type { Failure, Sample } from './samples';
import { scale, scaleTargets } from './scale/workload';
import { RUNS_TARGETS } from './runs/targets';
import { runs } from './runs/workload';
import { TOPICS_TARGETS } from './topics/targets';
import { topics } from './topics/workload';
import type { BenchOptions } from './options';
import {
  channelSingle,
  fanout,
  latency,
  memory,
  perTurn,
  perTurnSingle,
  single,
  type Runnable,
} from './workloads';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const RUNNERS: Record<Workload, (ctx: RunContext, target: Runnable) => Promise<void>> = {
  'per-turn': perTurn,
  'per-turn-single': perTurnSingle,
  'channel-single': channelSingle,
  'batch-delay': batchDelay,
  topics,
  runs,
  fanout,
  memory,
  latency,
  single,
  scale,
};

/** Workloads with targets of their own (not `--targets`). */
const OWN_TARGETS: readonly Workload[] = ['topics', 'runs', 'scale'];

/** The targets a workload runs: its own for topics and scale, else the selected ones. */
function targetsOf(workload: Workload, options: BenchOptions): readonly Runnable[] {
  const selected = options.targets;
  switch (workload) {
    case 'topics':
      return TOPICS_TARGETS;
    case 'runs':
      return RUNS_TARGETS;
    case 'scale':
      return scaleTargets(options);
    case 'per-turn-single':
    case 'single':
      return selected.filter((t) => !t.fanOutOnly);
    case 'channel-single':
      // Peers have no channel to await: raw is the anchor.
      return selected.filter((t) => !t.fanOutOnly && (t.ours || t.id === 'raw'));
    case 'batch-delay':
      // Peers have no batch window: raw is the anchor, and our core binding without one.
      return batchDelayTargets(selected.filter((t) => !t.fanOutOnly));
    default:
      return selected;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = `${RESULTS_DIR}profiles-${stamp}`;
  console.log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
  );
  const plan = options.workloads.map(
    (w) =>
      `${w} (${targetsOf(w, options)
        .map((t) => t.id)
        .join(', ')})`,
  );
  console.log(`workloads: ${plan.join('; ')}; reps: ${options.reps}\n`);

  if (options.build) {
    const needsRedis =
      options.workloads.includes('topics') ||
      options.workloads.includes('runs') ||
      options.scaleWorkers > 1;
    // Topics, runs and scale bring their own targets: the selected ones are built only for the rest.
    const usesSelected = options.workloads.some((w) => !OWN_TARGETS.includes(w));
    buildPackages(
      [
        ...(usesSelected ? options.targets : []),
        ...(options.workloads.includes('scale') ? scaleTargets(options) : []),
      ],
      needsRedis ? ['core', 'redis'] : [],
    );
  }
  const client = new BenchChild<ClientCommand>('client.ts', []);
  // The runs workload has reader processes of its own: it does not wait for this one.
  if (options.workloads.some((w) => w !== 'runs')) await client.ready;
  const samples: Sample[] = [];
  const failures: Failure[] = [];
  const ctx: RunContext = {
    options,
    client,
    profileDir,
    record: (sample) => samples.push(sample),
    fail: (failure) => failures.push(failure),
  };
  const started = Date.now();
  try {
    for (const workload of options.workloads) {
      for (let rep = 1; rep <= options.reps; rep++) {
        for (const target of targetsOf(workload, options)) {
          if (failures.some((f) => f.workload === workload && f.target === target.id)) continue;
          const t0 = Date.now();
          const before = samples.length;
          try {
            await RUNNERS[workload](ctx, target);
            const seconds = ((Date.now() - t0) / 1000).toFixed(1);
            const what = samples.slice(before).map(describe).join('; ');
            console.log(
              `  ${workload} rep ${rep}/${options.reps} ${target.id}: ${what} (${seconds} s)`,
            );
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            console.log(
              `  ${workload} rep ${rep}/${options.reps} ${target.id}: n/a (${message.split('\n')[0]})`,
            );
            failures.push({ workload, target: target.id, error: message });
            // A half-finished run can leave sockets open in the client: start the next one clean.
            await client.call({ cmd: 'disconnect' }).catch(() => undefined);
          }
        }
      }
    }
  } finally {
    await client.stop({ cmd: 'exit' });
  }

  const report = renderReport(options, samples, failures);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n## Results (${seconds} s)\n\n${report}`);
  let profiles: unknown;
  if (options.profile) {
    profiles = readdirSync(profileDir).map((server) => {
      const summary = summarizeProfileDir(`${profileDir}/${server}`);
      if (summary) {
        console.log(
          `\n### CPU profile of ${server} (busy ${summary.busyMs.toFixed(0)} ms)\n\n${renderProfile(summary)}`,
        );
      }
      return { server, summary };
    });
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}bench-${stamp}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        machine,
        options: { ...options, targets: options.targets.map((t) => t.id) },
        seconds,
        samples,
        failures,
        profiles,
      },
      null,
      2,
    ),
  );
  console.log(`\nraw results: ${file}`);
}

function describe(sample: Sample | undefined): string {
  if (!sample) return '';
  switch (sample.workload) {
    case 'fanout':
    case 'per-turn':
      return `${sample.clients} clients ${Math.round(sample.deliveriesPerSec).toLocaleString('en-US')} deliveries/s, cpu ${sample.cpuSeconds.toFixed(2)} s${sample.missing + sample.outOfOrder + sample.dropped ? ' MISSING/OUT-OF-ORDER' : ''}`;
    case 'memory':
      return `heap ${(sample.heapPerConn / 1024).toFixed(2)} KiB/conn, rss ${(sample.rssPerConn / 1024).toFixed(2)} KiB/conn`;
    case 'latency':
      return `p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms, max ${sample.maxMs.toFixed(2)} ms`;
    case 'single':
    case 'per-turn-single':
    case 'channel-single':
      return `${Math.round(sample.eventsPerSec).toLocaleString('en-US')} events/s, cpu ${sample.cpuUsPerEvent.toFixed(2)} µs/event`;
    case 'batch-delay':
      return describeBatch(sample);
    case 'topics':
      return `${Math.round(sample.publishesPerSec).toLocaleString('en-US')} publishes/s, ${Math.round(sample.deliveriesPerSec).toLocaleString('en-US')} deliveries/s, p99 ${sample.p99Ms.toFixed(1)} ms`;
    case 'runs':
      return `${Math.round(sample.oneReaderTokensPerSec).toLocaleString('en-US')} / ${Math.round(sample.manyReadersTokensPerSec).toLocaleString('en-US')} tokens/s (1 / ${sample.readers} readers), resume p50 ${sample.resumeP50Ms.toFixed(1)} ms, ${sample.commandsPerToken.toFixed(2)} commands/token, producer killed: ${sample.death.outcome} after ${(sample.death.afterMs / 1000).toFixed(1)} s${sample.missing + sample.outOfOrder + sample.duplicates ? ' MISSING/OUT-OF-ORDER/DUPLICATE' : ''}`;
    case 'scale':
      return `${sample.connections} conns, rss ${(sample.rssPerConn / 1024).toFixed(2)} KiB/conn, heap ${(sample.heapPerConn / 1024).toFixed(2)} KiB/conn, reach p99 ${sample.reachP99Ms.toFixed(0)} ms`;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
