import { TARGETS, type TargetInfo } from './targets/registry';

export const WORKLOADS = ['fanout', 'memory', 'latency', 'single'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Everything a run is parameterised by; `--quick` shrinks it for development. */
export interface BenchOptions {
  quick: boolean;
  workloads: Workload[];
  targets: TargetInfo[];
  /** Repetitions of every measurement, interleaved across targets (A B C A B C ...). */
  reps: number;
  fanoutClients: number[];
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
  /** Write a V8 CPU profile of every server process to results/profiles-<time>/. */
  profile: boolean;
  /** Build the @sse packages (tsdown) before measuring; `--no-build` uses their dist as is. */
  build: boolean;
}

const USAGE = `usage: pnpm bench [--quick] [--only fanout,memory,latency,single]
                  [--targets ${TARGETS.map((t) => t.id).join(',')}]
                  [--reps N] [--clients 100,1000,5000] [--burst N] [--profile] [--no-build]`;

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
    workloads: [...WORKLOADS],
    targets: TARGETS.filter((target) => !target.optIn),
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
        break;
      case '--reps':
        options.reps = positive(argv[++i], flag);
        break;
      case '--clients':
        options.fanoutClients = list(argv[++i], flag).map((n) => positive(n, flag));
        break;
      case '--burst':
        options.burst = positive(argv[++i], flag);
        options.window = Math.max(options.window, options.burst * 4);
        break;
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
