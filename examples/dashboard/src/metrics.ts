import type { ChannelStats } from '@sse/core';

/** One `metrics` event of the dashboard: what this server is doing, sampled once a second. */
export interface MetricsSample {
  /** ISO time of the sample. */
  time: string;
  /** Open SSE connections on this instance (the dashboard's own included). */
  clients: number;
  /** Feed events published, by every instance (seen by this one), per second since the last sample. */
  eventsPerSecond: number;
  /** Feed events written to clients of this instance since it started. */
  delivered: number;
  /** Clients of this instance closed for not reading fast enough, since it started. */
  closedSlow: number;
  heapUsedMb: number;
  rssMb: number;
  /** CPU used by this process over the last interval, in percent of one core. */
  cpuPercent: number;
}

/** Samples the feed channel and the process; each call covers the time since the previous. */
export class MetricsSampler {
  private lastCpu = process.cpuUsage();
  private lastTime = performance.now();
  private seen = 0;
  private lastSeen = 0;

  constructor(
    private readonly feed: { stats(): ChannelStats },
    private readonly otherClients: () => number,
  ) {}

  /** Counts a feed event this instance received (published here or on another instance). */
  countEvent(): void {
    this.seen++;
  }

  sample(): MetricsSample {
    const now = performance.now();
    const seconds = Math.max((now - this.lastTime) / 1000, 0.001);
    const stats = this.feed.stats();
    const cpu = process.cpuUsage(this.lastCpu);
    const memory = process.memoryUsage();
    const sample: MetricsSample = {
      time: new Date().toISOString(),
      clients: stats.subscribers + this.otherClients(),
      eventsPerSecond: Math.round((this.seen - this.lastSeen) / seconds),
      delivered: stats.delivered,
      closedSlow: stats.closedSlow,
      heapUsedMb: round1(memory.heapUsed / 2 ** 20),
      rssMb: round1(memory.rss / 2 ** 20),
      cpuPercent: round1(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100),
    };
    this.lastCpu = process.cpuUsage();
    this.lastTime = now;
    this.lastSeen = this.seen;
    return sample;
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
