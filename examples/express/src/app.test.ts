import { createServer } from 'node:http';
import { describeExampleApp, listen } from '@sse/test-kit';
import { createApp } from './app';

describeExampleApp('express', () => listen(createServer(createApp())));
