// What unit tests over the in-memory transport need, without the servers, browsers and
// runtimes the index pulls in: importing the index costs a test file ~5 s of module loading
// on a loaded 2-core machine, and every full GC a memory test runs walks that heap too.
export {
  openMemoryStream,
  useMemoryStreams,
  type MemoryStream,
  type MemoryStreamOptions,
} from './memory-stream';
export type { MemoryClientOptions, MemorySseClient } from './memory-client';
export { sleep, waitUntil } from './wait';
export { collectGarbage, retainedMemory } from './memory';
