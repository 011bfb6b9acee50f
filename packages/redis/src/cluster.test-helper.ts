import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient, createCluster } from 'redis';
import { waitUntil } from '@sse/test-kit';
import type { RedisClusterConnection, RedisConnection } from './connection';

const run = promisify(execFile);

/** A Redis Cluster of the test's own: three masters on free loopback ports, no persistence. */
export interface OwnCluster {
  readonly ports: readonly number[];
  /**
   * A new Cluster client, connected (closed by `stop`): one "server instance". Its node
   * connections carry `name` (CLIENT SETNAME) when given, and log in as `login` when given.
   */
  client(
    name?: string,
    login?: { username: string; password: string },
  ): Promise<RedisClusterConnection>;
  /** The port of the master that holds `key`. */
  masterOf(key: string): Promise<number>;
  /** Runs a command on the master on `port` and returns the reply. */
  onMaster(port: number, args: string[]): Promise<unknown>;
  /** Runs a command on every master (e.g. FLUSHALL) and returns the replies. */
  onEveryMaster(args: string[]): Promise<unknown[]>;
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` and joins them with `redis-cli --cluster
 * create`, waiting until every node reports `cluster_state:ok`.
 */
export async function startCluster(): Promise<OwnCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'sse-cluster-'));
  const ports = await clusterPorts(3);
  const servers: ChildProcess[] = [];
  const clients: { close(): Promise<unknown> }[] = [];
  type Node = RedisConnection;
  const nodes = new Map<number, Promise<Node>>();
  const onNode = async <T>(port: number, work: (node: Node) => Promise<T>): Promise<T> => {
    let node = nodes.get(port);
    if (!node) {
      const client: Node = createClient({ url: `redis://127.0.0.1:${port}` });
      client.on('error', () => {});
      node = client.connect().then(() => client);
      nodes.set(port, node);
      clients.push(client);
    }
    return work(await node);
  };
  const stop = async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => {})));
    await Promise.all(servers.map(kill));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) servers.push(await startNode(port, dir));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitUntil(
      async () => (await Promise.all(ports.map(clusterOk))).every(Boolean),
      'cluster_state:ok on every node',
      10_000,
      50,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    async client(name, login) {
      const client = createCluster({
        rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
        defaults: { ...(name === undefined ? {} : { name }), ...login },
      });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
    async masterOf(key) {
      type Slots = [number, number, [string, number]][];
      const [slot, slots] = await onNode(ports[0]!, async (node) => [
        Number(await node.sendCommand(['CLUSTER', 'KEYSLOT', key])),
        (await node.sendCommand(['CLUSTER', 'SLOTS'])) as Slots,
      ]);
      const range = slots.find(([from, to]) => slot >= from && slot <= to);
      return Number(range![2][1]);
    },
    onMaster(port, args) {
      return onNode(port, (node) => node.sendCommand(args));
    },
    async onEveryMaster(args) {
      return Promise.all(ports.map((port) => onNode(port, (node) => node.sendCommand(args))));
    },
    stop,
  };
}

async function startNode(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server on ${port} exited (${code})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return child;
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    return stdout.includes('cluster_state:ok');
  } catch {
    return false;
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

/** `count` ports whose cluster bus port (port + 10000) is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (ports.includes(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
