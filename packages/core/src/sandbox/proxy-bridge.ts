import { realpathSync } from "node:fs";

/**
 * How a sandbox in allowlist mode reaches the filtering proxy. The sandbox keeps its own empty
 * network namespace; the proxy's Unix socket is bound into it (a file, so a network namespace
 * does not stop it), and a small forwarder, run with the same node binary as Quire, listens on
 * the sandbox's own loopback and passes every connection to that socket. Nothing else leads out.
 */

/** Inside the sandbox: where the proxy's socket and the node binary are bound, and the port. */
export const SANDBOX_PROXY_SOCKET = "/run/quire/proxy.sock";
const SANDBOX_NODE = "/run/quire/node";
export const SANDBOX_PROXY_PORT = 3128;

/** Where the sandbox is given the proxy: the socket, and node to run the forwarder with. */
export function proxyBridgeArgs(socketPath: string): string[] {
  return ["--ro-bind", socketPath, SANDBOX_PROXY_SOCKET, "--ro-bind", realpathSync(process.execPath), SANDBOX_NODE];
}

/**
 * The variables curl, wget, pip, npm, yarn, cargo, go, git, apt and node (with
 * NODE_USE_ENV_PROXY, Node 24+) read; the JVM does not read any of them, hence
 * JAVA_TOOL_OPTIONS. Set before the request's own env, which may override them.
 */
export function proxyEnv(): Record<string, string> {
  const url = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;
  const noProxy = "localhost,127.0.0.1,::1";
  const java = ["http", "https"].map(
    (scheme) => `-D${scheme}.proxyHost=127.0.0.1 -D${scheme}.proxyPort=${SANDBOX_PROXY_PORT}`,
  );
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    all_proxy: url,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    npm_config_proxy: url,
    npm_config_https_proxy: url,
    NODE_USE_ENV_PROXY: "1",
    JAVA_TOOL_OPTIONS: `${java.join(" ")} -Dhttp.nonProxyHosts=localhost|127.0.0.1`,
  };
}

/**
 * The forwarder: 127.0.0.1:3128 to the socket, both directions, half-closes kept (a client
 * may finish sending before the answer comes). It prints "ready" once listening, then writes
 * nothing more.
 */
const FORWARDER = `
const net = require("node:net");
const server = net.createServer({ allowHalfOpen: true }, (client) => {
  const proxy = net.connect({ path: ${JSON.stringify(SANDBOX_PROXY_SOCKET)}, allowHalfOpen: true });
  const drop = () => { client.destroy(); proxy.destroy(); };
  client.on("error", drop);
  proxy.on("error", drop);
  client.pipe(proxy).pipe(client);
});
server.listen(${SANDBOX_PROXY_PORT}, "127.0.0.1", () => process.stdout.write("ready\\n"));
`;

/**
 * Starts the forwarder, waits until it listens, then execs the command (so the command keeps
 * its pid, exit code and signals). The forwarder is started from a subshell that exits at
 * once, so it belongs to the sandbox's init and never shows up as the command's child (a
 * command waiting for all its children would otherwise wait forever); it dies with the
 * sandbox. A fifo in the private /tmp carries the "ready" line. NODE_OPTIONS is the command's
 * (it may --require a workspace file); the forwarder runs without it.
 */
const WRAPPER = `forwarder=$1; shift
ready=/tmp/.quire-proxy-ready
mkfifo -m 600 "$ready" || exit 125
(NODE_OPTIONS= "${SANDBOX_NODE}" -e "$forwarder" >"$ready" </dev/null &)
read -r line <"$ready"
rm -f "$ready"
if [ "$line" != ready ]; then echo "quire: the network proxy forwarder did not start" >&2; exit 125; fi
exec "$@"`;

/** argv that runs `argv` behind the forwarder. */
export function withProxyForwarder(argv: string[]): string[] {
  return ["/bin/sh", "-c", WRAPPER, "quire-sandbox", FORWARDER, ...argv];
}
