export { examplePage } from './page';
export { clockTick, runClock, CLOCK_INTERVAL_MS, type ClockTick } from './clock';
export {
  readPublishBody,
  PUBLISH_BODY_LIMIT_BYTES,
  type BodySource,
  type PublishBody,
} from './publish-body';
export { errorAnswer, type ErrorAnswer } from './error-answer';
