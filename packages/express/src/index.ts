export { sse, type ExpressSseHandler, type ExpressSseOptions } from './sse';
