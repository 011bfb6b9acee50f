export { sse, type KoaSseContext, type KoaSseHandler, type KoaSseOptions } from './sse';
