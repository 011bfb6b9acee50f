/** UTF-8 bytes, allocated as Node's `Buffer` when the runtime has one (Node, Bun). */

interface BufferClass {
  from(text: string): Uint8Array;
  byteLength(text: string): number;
  allocUnsafe(size: number): Uint8Array;
}

// node:http wraps every plain Uint8Array it is given in a new Buffer, once per write: a frame
// written to thousands of clients should be a Buffer already. Read from globalThis so that
// the root entry imports nothing from node:*.
const NodeBuffer = (globalThis as { Buffer?: BufferClass }).Buffer;
const encoder = new TextEncoder();

/** Encodes text as UTF-8. */
export function encodeText(text: string): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(text) : encoder.encode(text);
}

/** Joins `chunks` (whose lengths add up to `size`) into one array. */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = NodeBuffer ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The length of `text` encoded as UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  return NodeBuffer ? NodeBuffer.byteLength(text) : countUtf8Bytes(text);
}

/** `utf8ByteLength` without Buffer (Deno, Workers): counts code units. Exported for tests. */
export function countUtf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A pair: 2 code units, 4 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
