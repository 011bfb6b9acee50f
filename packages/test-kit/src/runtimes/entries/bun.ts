import { fixtureFetch } from '../fixture-app';

// The part of Bun's API this entry uses (the workspace does not install Bun's types).
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request): Response | Promise<Response>;
  }): { port: number };
};

// Bun.serve with its defaults (idleTimeout: 10 s), as a new user writes it.
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: fixtureFetch });
console.log(`listening on ${server.port}`);
