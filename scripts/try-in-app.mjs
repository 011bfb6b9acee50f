// Does what the README's "Use it in your app" says, as a user would: builds the packages, packs
// them into tarballs, installs @sse/core and @sse/express with npm into a scratch Express app in
// a temp dir, runs it, and checks that a published event reaches a real HTTP client.
// Exits non-zero on any failure. `node scripts/try-in-app.mjs [--keep]` (--keep: leave the temp dir).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { promisify } from 'node:util';

const repo = join(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const say = (line) => process.stdout.write(`try-in-app: ${line}\n`);

async function run(command, args, cwd) {
  try {
    await promisify(execFile)(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
}

const APP = `import express from 'express';
import { createChannel } from '@sse/core';
import { sse } from '@sse/express';

const app = express();
const news = createChannel();
app.get('/events', sse({ channel: news }));
app.post('/news', express.json(), async (req, res) => {
  const id = await news.publish({ title: String(req.body.title) }, { event: 'headline' });
  res.json({ id });
});
const server = app.listen(0, '127.0.0.1', () => console.log('port', server.address().port));
`;

/** Starts the app and resolves with its port once it listens. */
function startApp(cwd) {
  const child = spawn(process.execPath, ['app.mjs'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /port (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the app exited (${code}) before listening:\n${output}`)),
    );
  });
  return { child, port };
}

/** Opens /events, POSTs /news once the stream's first bytes arrive, resolves with what it read. */
function publishAndRead(port, title) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.destroy();
      reject(new Error(`no headline event within 15 s; the stream sent:\n${body}`));
    }, 15_000);
    let body = '';
    let posted = false;
    const events = request({ host: '127.0.0.1', port, path: '/events' }, (res) => {
      if (
        res.statusCode !== 200 ||
        !String(res.headers['content-type']).startsWith('text/event-stream')
      ) {
        clearTimeout(timer);
        reject(new Error(`GET /events answered ${res.statusCode} ${res.headers['content-type']}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
        if (!posted) {
          posted = true;
          const post = request({
            host: '127.0.0.1',
            port,
            path: '/news',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          });
          post.on('error', reject);
          post.end(JSON.stringify({ title }));
        }
        if (body.includes('event: headline\n')) {
          clearTimeout(timer);
          events.destroy();
          resolve(body);
        }
      });
    });
    events.on('error', (error) => {
      if (!events.destroyed) reject(error);
    });
    events.end();
  });
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'sse-try-'));
  const tarballs = join(dir, 'tarballs');
  const appDir = join(dir, 'app');
  let app;
  try {
    say('building the packages');
    await run(process.execPath, ['scripts/build.mjs'], repo);
    say(`packing them into ${tarballs}`);
    await run(
      'npx',
      ['-y', 'pnpm@10.34.8', '-r', '--filter', './packages/*', '--filter', '!@sse/test-kit'].concat(
        ['pack', '--pack-destination', tarballs],
      ),
      repo,
    );
    const packed = (await readdir(tarballs)).filter((name) => name.endsWith('.tgz'));
    say(`packed ${packed.sort().join(', ')}`);
    const tarball = (name) => {
      const file = packed.find((candidate) => candidate.startsWith(`sse-${name}-`));
      if (!file) throw new Error(`no tarball for @sse/${name} among ${packed.join(', ')}`);
      return join(tarballs, file);
    };

    say(`installing @sse/core, @sse/express and express with npm in ${appDir}`);
    await run('mkdir', ['-p', appDir], dir);
    await writeFile(
      join(appDir, 'package.json'),
      JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2),
    );
    await writeFile(join(appDir, 'app.mjs'), APP);
    const npmFlags = ['--no-audit', '--no-fund', '--loglevel=error'];
    await run(
      'npm',
      ['install', ...npmFlags, tarball('core'), tarball('express'), 'express'],
      appDir,
    );
    // Peers resolve from the app: npm ls fails on a missing or invalid (e.g. duplicated) express.
    await run('npm', ['ls', '--all'], appDir);
    // Both module formats load.
    await run(process.execPath, ['-e', "require('@sse/core'); require('@sse/express')"], appDir);

    app = startApp(appDir);
    const port = await app.port;
    say(`the app listens on 127.0.0.1:${port}; GET /events, then POST /news`);
    const title = 'hello from a scratch app';
    const body = await publishAndRead(port, title);
    if (!body.includes(`data: {"title":"${title}"}`)) {
      throw new Error(`the headline event did not carry the title:\n${body}`);
    }
    say('ok: the event arrived over HTTP');
  } finally {
    app?.child.kill();
    if (keep) say(`left ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`try-in-app: FAILED: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
});
