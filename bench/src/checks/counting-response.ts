import { EventEmitter } from 'node:events';

/**
 * A stand-in for a node:http response that takes every write at once and counts its bytes:
 * what the checks use to measure the library's own cost per event, without a socket.
 */
export class CountingResponse extends EventEmitter {
  headersSent = false;
  destroyed = false;
  writableLength = 0;
  writableHighWaterMark = 16 * 1024;
  bytes = 0;
  hasHeader(): boolean {
    return false;
  }
  removeHeader(): void {}
  writeHead(): this {
    this.headersSent = true;
    return this;
  }
  write(chunk: string | Uint8Array): boolean {
    this.bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    return true;
  }
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}
