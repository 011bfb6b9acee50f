import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AckMessage, ReplyMessage } from './protocol';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
// Without this, tsx would find the root tsconfig and its `paths`, and load @sse/* from source.
const TSX_TSCONFIG = fileURLToPath(new URL('../tsx.tsconfig.json', import.meta.url));

type FromChild =
  ReplyMessage | AckMessage | { type: 'ready'; port?: number } | { type: 'failed'; error: string };

/** A server or client process spoken to over IPC: `call(command)` resolves with its reply. */
export class BenchChild<Command extends { cmd: string }> {
  /** Resolves with the listening port (servers) once the child is up; rejects if it fails. */
  readonly ready: Promise<number>;
  private readonly process: ChildProcess;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private ackListener: ((upTo: number, counts?: number[]) => void) | undefined;

  constructor(
    /** Relative to bench/src: `server.ts`, `client.ts`, or a workload's own (`runs/server.ts`). */
    script: string,
    args: string[],
    nodeFlags: string[] = [],
    env: Record<string, string> = {},
  ) {
    this.process = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
      cwd: BENCH_DIR,
      execArgv: ['--import', 'tsx', ...nodeFlags],
      env: { ...process.env, ...env, TSX_TSCONFIG_PATH: TSX_TSCONFIG, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.ready = new Promise((resolve, reject) => {
      this.process.on('message', (message: FromChild) => {
        if (message.type === 'ready') resolve(message.port ?? 0);
        else if (message.type === 'failed') reject(new Error(message.error));
        else if (message.type === 'ack') this.ackListener?.(message.upTo, message.counts);
        else this.settle(message);
      });
      this.process.on('exit', (code) => {
        const error = new Error(`${script} ${args.join(' ')} exited with code ${String(code)}`);
        reject(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
      });
    });
    // Nothing awaits `ready` when a run is cut short; keep its rejection from going unhandled.
    this.ready.catch(() => undefined);
  }

  /** Sends a command and resolves with the child's answer. */
  call<Value>(command: Command): Promise<Value> {
    const id = this.nextId++;
    return new Promise<Value>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.process.send({ ...command, id });
    });
  }

  /** Sends a command that has no answer. */
  post(command: Command): void {
    if (this.process.connected) this.process.send({ ...command, id: 0 });
  }

  /** Receives the client's burst acknowledgements. */
  onAck(listener: ((upTo: number, counts?: number[]) => void) | undefined): void {
    this.ackListener = listener;
  }

  /** Asks the child to exit, and kills it if it has not within a second. */
  async stop(exitCommand: Command): Promise<void> {
    if (this.process.exitCode !== null || !this.process.connected) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.call(exitCommand).catch(() => undefined);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the child with `signal` (a producer killed mid-run); resolves once it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill(signal);
    await exited;
  }

  private settle(message: ReplyMessage): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(message.error ?? 'failed'));
  }
}
