/**
 * The compatibility flags the Worker runs with. `enable_request_signal`: without it
 * `request.signal` never aborts, and nothing of a request runs once its client has left.
 * No `nodejs_compat`: the root entry of `@sse/core` needs no Node API.
 */
export const WORKERD_COMPATIBILITY_FLAGS = ['enable_request_signal'] as const;

/**
 * A `workerd serve` config (Cap'n Proto text) for one module Worker, `module` beside the
 * config file, listening for HTTP on 127.0.0.1 with a port of the system's choosing.
 */
export function workerdConfig(module: string): string {
  const flags = WORKERD_COMPATIBILITY_FLAGS.map((flag) => `"${flag}"`).join(', ');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "${module}", esModule = embed "${module}")],
  compatibilityDate = "2025-06-01",
  compatibilityFlags = [${flags}],
);
`;
}
