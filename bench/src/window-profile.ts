/**
 * With `--profile`, a server also profiles each publishing run on its own (`window-N.cpuprofile`
 * beside the whole-process profile): what a delivery costs once every client is connected,
 * without the connects, the module loading and the handler set-up that dominate the
 * whole-process profile of a fan-out to thousands of clients.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** Set by the orchestrator (`startChild`) to the server's profile directory. */
export const WINDOW_PROFILE_ENV = 'BENCH_PROFILE_WINDOW_DIR';

let windows = 0;

/** Runs `run`, profiled into the window directory when there is one. */
export async function profileWindow<T>(run: () => Promise<T>): Promise<T> {
  const dir = process.env[WINDOW_PROFILE_ENV];
  if (!dir) return run();
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.start');
    const result = await run();
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
    writeFileSync(`${dir}/window-${++windows}.cpuprofile`, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}

function post(session: Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
}
