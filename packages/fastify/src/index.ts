export { ssePlugin } from './plugin';
export type { FastifySseHandler, FastifySseOptions } from './options';
