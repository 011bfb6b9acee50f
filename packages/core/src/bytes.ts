/** UTF-8 bytes, allocated as Node's `Buffer` when the runtime has one (Node, Bun). */

interface BufferClass {
  from(text: string): Uint8Array;
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
