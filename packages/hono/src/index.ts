export { sse, type HonoSseHandler, type HonoSseOptions } from './sse';
