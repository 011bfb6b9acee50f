import { readFileSync } from 'node:fs';
import { TARGETS, type TargetInfo } from './targets/registry';

/** Every workload, in report order: one event per turn first (what real traffic looks like). */
export const WORKLOADS = [
  'per-turn',
  'per-turn-single',
  'channel-single',
  'batch-delay',
  'topics',
  'runs',
  'fanout',
  'memory',
  'latency',
  'single',
  'scale',
] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Run only when named in `--only`: it needs the whole open-file limit and minutes. */
const OPT_IN_WORKLOADS: readonly Workload[] = ['scale'];

/** Everything a run is parameterised by; `--quick` shrinks it for development. */
export interface BenchOptions {
  quick: boolean;
  workloads: Workload[];
  targets: TargetInfo[];
  /** `--targets` was given (else the scale workload picks raw, core and express). */
  targetsGiven: boolean;
  /** Repetitions of every measurement, interleaved across targets (A B C A B C ...). */
  reps: number;
  fanoutClients: number[];
  /** Client counts of the per-turn fan-out (one event per macrotask). */
  perTurnClients: number[];
  /** Deliveries (events x clients) per measured fan-out run; events = this / clients. */
  fanoutDeliveries: number;
  /** A measured fan-out run stops publishing after this long (slow targets send fewer events). */
  fanoutMaxMs: number;
  /** Events published per macrotask (setImmediate) by the fan-out publisher. */
  burst: number;
  /** Events the publisher may run ahead of the slowest client (acknowledged per burst). */
  window: number;
  memoryClients: number;
  latencyClients: number;
  latencyEvents: number;
  latencyIntervalMs: number;
  singleEvents: number;
  /** Events of the per-turn single stream (one event per macrotask). */
  perTurnSingleEvents: number;
  /** Clients of the batch-delay workload, the rate events arrive at, and for how long. */
  batchClients: number;
  batchPerSecond: number;
  batchSeconds: number;
  /** Our targets' `batchDelay` in the batch-delay workload (ms). */
  batchDelay: number;
  /**
   * The batch-delay workload's latency phase: a rate raw node:http keeps up with to
   * `batchClients` clients on a 2-core machine, and for how long.
   */
  batchLatencyPerSecond: number;
  batchLatencySeconds: number;
  /** Clients of the topics workload (each on its user topic and one room). */
  topicsClients: number;
  topicsRooms: number;
  /** A measured topics run stops publishing after this long. */
  topicsMaxMs: number;
  /** Runs: tokens per throughput run, readers of the second one, reconnects measured. */
  runsTokens: number;
  runsReaders: number;
  runsReconnects: number;
  /** Runs: tokens/s of the paced runs (resume, producer death). */
  runsPerSecond: number;
  /** Runs: our `lease` in the producer-death run, and how long a reader is watched after. */
  runsLeaseMs: number;
  runsDeathWaitMs: number;
  /** Connections of the scale workload per server process (default: what `ulimit -n` allows). */
  scaleConnections: number;
  /** Server processes of the scale workload (2: two workers on one Redis). */
  scaleWorkers: number;
  /** Heartbeat intervals (ms) whose CPU the scale workload measures. */
  scaleHeartbeats: number[];
  /** Write a V8 CPU profile of every server process to results/profiles-<time>/. */
  profile: boolean;
  /** Build the @sse packages (tsdown) before measuring; `--no-build` uses their dist as is. */
  build: boolean;
}

const USAGE = `usage: pnpm bench [--quick] [--only ${WORKLOADS.join(',')}]
                  [--targets ${TARGETS.map((t) => t.id).join(',')}]
                  [--reps N] [--clients 100,1000,5000] [--burst N] [--batch-delay MS]
                  [--batch-latency-rate N]
                  [--connections N] [--workers 1|2] [--profile] [--no-build]`;

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new Error(`${flag} needs a value\n${USAGE}`);
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function positive(value: string | undefined, flag: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new Error(`${flag} needs a positive integer\n${USAGE}`);
  }
  return number;
}

/** Parses the command line. Throws with the usage on a bad flag. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    workloads: WORKLOADS.filter((workload) => !OPT_IN_WORKLOADS.includes(workload)),
    targets: TARGETS.filter((target) => !target.optIn),
    targetsGiven: false,
    reps: quick ? 1 : 3,
    fanoutClients: quick ? [100, 1000] : [100, 1000, 5000],
    fanoutDeliveries: quick ? 300_000 : 1_000_000,
    fanoutMaxMs: quick ? 1000 : 2000,
    burst: 10,
    window: 100,
    memoryClients: quick ? 1000 : 5000,
    latencyClients: quick ? 200 : 1000,
    latencyEvents: quick ? 100 : 500,
    latencyIntervalMs: 10,
    singleEvents: quick ? 20_000 : 100_000,
    perTurnClients: quick ? [1000] : [1000, 5000],
    perTurnSingleEvents: quick ? 10_000 : 50_000,
    batchClients: 1000,
    batchPerSecond: 10_000,
    batchSeconds: quick ? 0.5 : 2,
    batchDelay: 5,
    batchLatencyPerSecond: 10,
    batchLatencySeconds: quick ? 1 : 10,
    topicsClients: quick ? 2000 : 10_000,
    topicsRooms: 100,
    topicsMaxMs: quick ? 1000 : 3000,
    runsTokens: quick ? 1000 : 10_000,
    runsReaders: 10,
    runsReconnects: quick ? 3 : 10,
    runsPerSecond: 1000,
    runsLeaseMs: 1000,
    runsDeathWaitMs: quick ? 3000 : 10_000,
    scaleConnections: defaultScaleConnections(quick),
    scaleWorkers: 1,
    scaleHeartbeats: quick ? [1000] : [1000, 15_000],
    profile: false,
    build: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--quick':
        break;
      case '--only':
        options.workloads = list(argv[++i], flag).map((name) => {
          if (!(WORKLOADS as readonly string[]).includes(name)) {
            throw new Error(`unknown workload ${name}\n${USAGE}`);
          }
          return name as Workload;
        });
        break;
      case '--targets':
        options.targets = list(argv[++i], flag).map((id) => {
          const target = TARGETS.find((t) => t.id === id);
          if (!target) throw new Error(`unknown target ${id}\n${USAGE}`);
          return target;
        });
        options.targetsGiven = true;
        break;
      case '--reps':
        options.reps = positive(argv[++i], flag);
        break;
      case '--clients':
        options.fanoutClients = list(argv[++i], flag).map((n) => positive(n, flag));
        options.perTurnClients = options.fanoutClients;
        break;
      case '--burst':
        options.burst = positive(argv[++i], flag);
        options.window = Math.max(options.window, options.burst * 4);
        break;
      case '--batch-delay':
        options.batchDelay = positive(argv[++i], flag);
        break;
      case '--batch-latency-rate':
        options.batchLatencyPerSecond = positive(argv[++i], flag);
        break;
      case '--connections':
        options.scaleConnections = positive(argv[++i], flag);
        break;
      case '--workers': {
        const workers = positive(argv[++i], flag);
        if (workers > 2) throw new Error(`--workers is 1 or 2\n${USAGE}`);
        options.scaleWorkers = workers;
        break;
      }
      case '--profile':
        options.profile = true;
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown flag ${String(flag)}\n${USAGE}`);
    }
  }
  return options;
}

/**
 * As many connections as one process may hold: the open-file limit less a margin for the
 * process's own files (and Redis, IPC), rounded down to 500. `--quick`: 5,000.
 */
function defaultScaleConnections(quick: boolean): number {
  if (quick) return 5000;
  const limit = openFileLimit();
  return Math.max(500, Math.floor((limit - 400) / 500) * 500);
}

function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: assume the common default.
  }
  return 1024;
}
