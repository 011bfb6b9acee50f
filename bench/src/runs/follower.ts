import { request, type ClientRequest } from 'node:http';
import { nowMicros } from '../payload';
import { tokenIndex, type ResumeBy } from './protocol';

/** A run's last event (ours): `sse-end` or `sse-error`. */
interface FinalEvent {
  event: string;
  data: string;
  at: number;
}

/**
 * One reader of one run over plain HTTP, as a browser's EventSource or a fetch reader would
 * read it: parses SSE, checks that tokens come once each and in order, and reconnects from
 * where it was (ours: the last `id:` as `Last-Event-ID`; resumable-stream: the characters
 * received so far as `?resumeAt=`).
 */
export class RunFollower {
  /** The next token index expected. */
  next = 0;
  count = 0;
  missing = 0;
  outOfOrder = 0;
  duplicates = 0;
  /** When the token `lastToken` arrived (`nowMicros()`). */
  lastTokenAt = Number.NaN;
  final: FinalEvent | undefined;
  /** When the current response ended (or failed); undefined while it is open. */
  endedAt: number | undefined;
  status = 0;
  body = '';
  private characters = 0;
  private lastId: string | undefined;
  private buffer = '';
  private req: ClientRequest | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly port: number,
    private readonly name: string,
    private readonly resumeBy: ResumeBy,
    private readonly lastToken = Number.POSITIVE_INFINITY,
  ) {}

  /** Connects (from where it was); resolves with the response status. */
  connect(): Promise<number> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    let path = `/runs/${encodeURIComponent(this.name)}`;
    if (this.resumeBy === 'last-event-id') {
      // EventSource drops a half-received event on reconnect; the id names the last whole one.
      this.buffer = '';
      if (this.lastId !== undefined) headers['last-event-id'] = this.lastId;
    } else if (this.characters > 0) {
      path += `?resumeAt=${this.characters}`;
    }
    this.endedAt = undefined;
    this.body = '';
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, path, headers, agent: false });
      this.req = req;
      req.on('response', (res) => {
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (this.status === 200) this.read(chunk);
          else this.body += chunk;
        });
        const ended = () => {
          if (this.req !== req || this.endedAt !== undefined) return;
          this.endedAt = nowMicros();
          this.wake();
        };
        res.on('end', ended);
        res.on('close', ended);
        resolve(this.status);
      });
      req.on('error', (error) => {
        if (this.req === req && this.endedAt === undefined) this.endedAt = nowMicros();
        this.wake();
        reject(error);
      });
      req.end();
    });
  }

  /** Leaves: the connection is dropped, as by a reload or a network error. */
  disconnect(): void {
    const req = this.req;
    this.req = undefined;
    req?.destroy();
  }

  /** Resolves once `done()` holds (checked after every token and at the response's end). */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(true);
      };
      this.waiters.push(check);
    });
  }

  private read(chunk: string): void {
    this.characters += chunk.length;
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.frame(frame);
    }
    this.wake();
  }

  private frame(frame: string): void {
    let id: string | undefined;
    let event: string | undefined;
    let data: string | undefined;
    for (const line of frame.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue; // a comment, or not a field
      // One space after the colon belongs to the syntax, the rest to the value.
      const value = line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
      const field = line.slice(0, colon);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    }
    if (id !== undefined) this.lastId = id;
    if (data === undefined) return;
    if (event !== undefined && event !== 'message') {
      this.final ??= { event, data, at: nowMicros() };
      return;
    }
    this.token(tokenIndex(data));
  }

  private token(index: number): void {
    if (index < 0) return;
    if (index < this.next) {
      this.duplicates++;
      return;
    }
    if (index > this.next) {
      this.missing += index - this.next;
      this.outOfOrder++;
    }
    this.count++;
    this.next = index + 1;
    if (index === this.lastToken) this.lastTokenAt = nowMicros();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
