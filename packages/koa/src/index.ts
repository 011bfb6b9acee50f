export { sse, type KoaSseHandler, type KoaSseOptions } from './sse';
