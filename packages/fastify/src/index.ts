export { fastifySse, fastifySse as default, ssePlugin } from './plugin';
export type { FastifySseHandler, FastifySseOptions } from './options';
