import type {
  SseChunk,
  SseTransport,
  SseTransportFactory,
  SseTransportSink,
  WebBodyTransport,
} from '@sse/core/adapter';
import { NodeResponseTransport, type WritableResponse } from '@sse/core/node';

/**
 * The Node response that a fetch-style server writes a body into (`@hono/node-server`:
 * `c.env.outgoing`), for `createSseBody`'s hand-off.
 */
export interface HandOffResponse extends WritableResponse {
  readonly headersSent: boolean;
  on(event: 'drain', listener: () => void): unknown;
}

/**
 * The transport `createSseBody` should use for a body served into `response`: see
 * `HandOffTransport`. Measured (bench/README.md): fan-out to 1000 clients on
 * `@hono/node-server` 0.70x -> 0.97x the core binding's rate.
 */
export function handOffTo(
  response: HandOffResponse,
): (web: WebBodyTransport) => SseTransportFactory {
  return (web) => (sink) => new HandOffTransport(web, response).attach(sink);
}

/** How many times the server may wait on the body before the hand-off is given up. */
const MAX_PROBES = 4;

/**
 * The transport of a body served into a known Node response. Frames go through the web body
 * until the server is seen writing exactly what the body gives it into that response, then
 * straight to the response: one web-stream read (and its promises) less per chunk per client.
 *
 * Seen means: when the server waits on the empty body, the last chunk the body handed out is
 * the last chunk written to the response. Everything the body gave is then on the response,
 * in order, so a direct write cannot overtake a frame. A middleware that re-encodes the body
 * never passes that check, and the body keeps doing all the work.
 *
 * Closing still goes through the body, so that the server ends the response itself.
 */
export class HandOffTransport implements SseTransport {
  private direct: NodeResponseTransport | undefined;
  private sink: SseTransportSink | undefined;
  private probe: WriteProbe | undefined;
  private probes = 0;
  private lastHandedOut: Uint8Array | undefined;

  constructor(
    private readonly web: WebBodyTransport,
    private readonly response: HandOffResponse,
  ) {}

  /** Connects the stream's sink (the `SseTransportFactory` step). */
  attach(sink: SseTransportSink): this {
    this.sink = sink;
    this.web.attach(sink);
    this.web.listener = this;
    return this;
  }

  write(chunk: SseChunk): boolean {
    return this.direct ? this.direct.write(chunk) : this.web.write(chunk);
  }

  get bufferedBytes(): number {
    return this.direct ? this.direct.bufferedBytes : this.web.bufferedBytes;
  }

  end(): void {
    this.stopProbing();
    this.direct?.writePending();
    this.web.end();
  }

  destroy(): void {
    this.stopProbing();
    if (this.direct === undefined) return this.web.destroy();
    this.web.release();
    this.direct.destroy();
  }

  /** The body handed `chunk` to its server. */
  handedOut(chunk: Uint8Array): void {
    this.lastHandedOut = chunk;
  }

  /** The body's server waits on the empty body. */
  idle(): void {
    if (!this.response.headersSent) return;
    if (this.probe === undefined) {
      this.probe = new WriteProbe(this.response);
      return;
    }
    const confirmed =
      this.lastHandedOut !== undefined && this.probe.lastWritten === this.lastHandedOut;
    if (!confirmed && ++this.probes < MAX_PROBES) return;
    this.stopProbing();
    if (confirmed) this.handOff();
  }

  private handOff(): void {
    // As the core binding's: frames as chunks on the socket, 'drain' listened to when behind.
    this.direct = new NodeResponseTransport(this.response, this.sink!);
  }

  private stopProbing(): void {
    this.web.listener = undefined;
    this.lastHandedOut = undefined;
    this.probe?.remove();
    this.probe = undefined;
  }
}

type WriteFunction = (this: unknown, ...args: unknown[]) => boolean;

/** Notes the last chunk written to a response, by wrapping its `write` until removed. */
class WriteProbe {
  lastWritten: unknown;
  private readonly target: { write: WriteFunction };
  /** The response's own `write`, when something had already wrapped it. */
  private readonly ownWrite: WriteFunction | undefined;

  constructor(response: WritableResponse) {
    const target = response as unknown as { write: WriteFunction };
    this.target = target;
    this.ownWrite = Object.hasOwn(target, 'write') ? target.write : undefined;
    const write = target.write;
    target.write = (...args: unknown[]): boolean => {
      this.lastWritten = args[0];
      return write.apply(target, args);
    };
  }

  remove(): void {
    if (this.ownWrite) this.target.write = this.ownWrite;
    else delete (this.target as Partial<{ write: WriteFunction }>).write;
    this.lastWritten = undefined;
  }
}
