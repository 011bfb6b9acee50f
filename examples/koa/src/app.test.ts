import { createServer } from 'node:http';
import { describeExampleApp, listen } from '@sse/test-kit';
import { createApp } from './app';

describeExampleApp('koa', () => {
  const callback = createApp().callback();
  return listen(createServer((req, res) => void callback(req, res)));
});
