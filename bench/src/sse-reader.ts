/**
 * The cheapest correct reader of one SSE response on a raw socket: HTTP/1.1 head, chunked or
 * close-delimited body, frames split on blank lines, and from each frame only the payload's
 * `"seq":` and `"t":` numbers.
 */

const CR = 13;
const LF = 10;

const enum State {
  Head,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Plain,
}

/** Receives what one connection reads. */
export interface SseReaderSink {
  /** The response head arrived; `status` is its code. */
  open(status: number): void;
  /** One event with its payload's sequence number and send time (µs). */
  event(seq: number, sentAt: number): void;
}

export class SseReader {
  private state = State.Head;
  private head = '';
  private chunkLeft = 0;
  private text = '';
  /**
   * Only count body bytes, parse no frame: the lean mode of the batch-delay workload, where one
   * client process could not parse every delivery (millions a second).
   */
  countOnly = false;
  /** Body bytes read (chunk framing excluded), in either mode. */
  bytes = 0;

  constructor(private readonly sink: SseReaderSink) {}

  push(buf: Buffer): void {
    let i = 0;
    const length = buf.length;
    while (i < length) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf('\r\n\r\n', i, 'latin1');
          if (end < 0) {
            this.head += buf.toString('latin1', i, length);
            return;
          }
          this.head += buf.toString('latin1', i, end);
          i = end + 4;
          this.openFromHead();
          break;
        }
        case State.ChunkSize: {
          const byte = buf[i++]!;
          if (byte === LF) this.state = this.chunkLeft === 0 ? State.ChunkEnd : State.ChunkData;
          else if (byte !== CR) this.chunkLeft = this.chunkLeft * 16 + hexValue(byte);
          break;
        }
        case State.ChunkData: {
          const end = Math.min(length, i + this.chunkLeft);
          this.bytes += end - i;
          if (!this.countOnly) this.body(buf.toString('latin1', i, end));
          this.chunkLeft -= end - i;
          i = end;
          if (this.chunkLeft === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd: {
          // The CRLF after chunk data (or the terminating chunk's trailer).
          if (buf[i++] === LF) this.state = State.ChunkSize;
          break;
        }
        case State.Plain:
          this.bytes += length - i;
          if (!this.countOnly) this.body(buf.toString('latin1', i, length));
          return;
      }
    }
  }

  private openFromHead(): void {
    const status = Number(this.head.slice(9, 12));
    this.state = /\r\ntransfer-encoding:\s*chunked/i.test(this.head)
      ? State.ChunkSize
      : State.Plain;
    this.head = '';
    this.sink.open(status);
  }

  private body(piece: string): void {
    const text = this.text.length === 0 ? piece : this.text + piece;
    let from = 0;
    for (;;) {
      const end = text.indexOf('\n\n', from);
      if (end < 0) break;
      const at = text.indexOf('"seq":', from);
      if (at >= 0 && at < end) {
        const t = text.indexOf('"t":', at);
        this.sink.event(readInt(text, at + 6), t >= 0 && t < end ? readInt(text, t + 4) : 0);
      }
      from = end + 2;
    }
    this.text = from === 0 ? text : text.slice(from);
  }
}

function readInt(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return 0; // chunk extensions (";...") never appear here
}
