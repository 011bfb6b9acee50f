/**
 * The compatibility flags the Worker runs with by default. `enable_request_signal`: without it
 * `request.signal` never aborts (streams still notice a client that left when a write fails).
 * No `nodejs_compat`: the root entry of `@sse/core` needs no Node API.
 */
export const WORKERD_COMPATIBILITY_FLAGS: readonly string[] = ['enable_request_signal'];

/**
 * A `workerd serve` config (Cap'n Proto text) for one module Worker, `module` beside the
 * config file, listening for HTTP on 127.0.0.1 with a port of the system's choosing.
 */
export function workerdConfig(
  module: string,
  compatibilityFlags: readonly string[] = WORKERD_COMPATIBILITY_FLAGS,
): string {
  const flags = compatibilityFlags.map((flag) => `"${flag}"`).join(', ');
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
