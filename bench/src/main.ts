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
import type { TargetInfo } from './targets/registry';
import {
  fanout,
  latency,
  memory,
  single,
  type Failure,
  type RunContext,
  type Sample,
} from './workloads';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const RUNNERS: Record<Workload, (ctx: RunContext, target: TargetInfo) => Promise<void>> = {
  fanout,
  memory,
  latency,
  single,
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = `${RESULTS_DIR}profiles-${stamp}`;
  console.log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
  );
  console.log(
    `workloads: ${options.workloads.join(', ')}; targets: ${options.targets.map((t) => t.id).join(', ')}; reps: ${options.reps}\n`,
  );

  if (options.build) buildPackages(options.targets);
  const client = new BenchChild<ClientCommand>('client.ts', []);
  await client.ready;
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
        for (const target of options.targets) {
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
      return `${sample.clients} clients ${Math.round(sample.deliveriesPerSec).toLocaleString('en-US')} deliveries/s, cpu ${sample.cpuSeconds.toFixed(2)} s${sample.missing + sample.outOfOrder + sample.dropped ? ' MISSING/OUT-OF-ORDER' : ''}`;
    case 'memory':
      return `heap ${(sample.heapPerConn / 1024).toFixed(2)} KiB/conn, rss ${(sample.rssPerConn / 1024).toFixed(2)} KiB/conn`;
    case 'latency':
      return `p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms, max ${sample.maxMs.toFixed(2)} ms`;
    case 'single':
      return `${Math.round(sample.eventsPerSec).toLocaleString('en-US')} events/s`;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
