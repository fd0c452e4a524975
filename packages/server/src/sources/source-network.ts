/**
 * The network of the host's git when it clones or fetches a repository registered by URL: every
 * connection goes through a filtering proxy with the setup phase's destination rule (public
 * addresses, plus what the operator's config.toml `[outbound] allow_private` names), checked on
 * the resolved address and on every redirect. http(s) through `http.proxy`, ssh through a
 * ProxyCommand and git:// through `core.gitProxy`, both a CONNECT through the same proxy. A
 * failure says one thing, whatever a probe met (refused, closed, timed out, not git): the
 * registering member learns nothing about the host's network.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DestinationRule, loadConfig, NO_OUTBOUND_ALLOWANCE, startFilteringProxy } from "@quire/core";

export const SOURCE_FETCH_FAILED = "could not fetch the repository from that URL";

/** ssh's ProxyCommand and git's core.gitProxy: `host port` in, a CONNECT tunnel on stdin/stdout. */
const CONNECT_SCRIPT = `
const net = require("node:net");
const [host, port] = process.argv.slice(2);
const [proxyHost, proxyPort] = process.env.QUIRE_SOURCE_PROXY.split(" ");
const authority = (host.includes(":") ? "[" + host + "]" : host) + ":" + port;
const socket = net.connect(Number(proxyPort), proxyHost, () => {
  socket.write("CONNECT " + authority + " HTTP/1.1\\r\\nHost: " + authority +
    "\\r\\nProxy-Authorization: " + process.env.QUIRE_SOURCE_PROXY_AUTH + "\\r\\n\\r\\n");
});
let head = Buffer.alloc(0);
const onHead = (chunk) => {
  head = Buffer.concat([head, chunk]);
  const end = head.indexOf("\\r\\n\\r\\n");
  if (end < 0) return;
  socket.off("data", onHead);
  if (!/^HTTP\\/1\\.[01] 200/.test(head.subarray(0, end).toString("latin1"))) process.exit(1);
  if (head.length > end + 4) process.stdout.write(head.subarray(end + 4));
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
};
socket.on("data", onHead);
socket.on("error", () => process.exit(1));
socket.on("close", () => process.exit(0));
`;

/** What git needs to run under the rule: its `-c` options and environment. */
export interface GuardedGit {
  configArgs: string[];
  env: NodeJS.ProcessEnv;
}

/** The operator's allowance from config.toml in Quire's home; an unreadable config allows nothing more. */
async function operatorRule(home: string): Promise<DestinationRule> {
  const config = await loadConfig(home).catch(() => null);
  return new DestinationRule(config?.outbound ?? NO_OUTBOUND_ALLOWANCE);
}

/** The guarded git options while they are open, and how to close the proxy behind them. */
export interface OpenGuardedGit {
  guard: GuardedGit;
  close(): Promise<void>;
}

/**
 * Opens a proxy with the rule and the git options that send every connection through it; close
 * it when git is done. Git's own errors are left as they are (delivery reports them); the
 * registering and fetching paths use withGuardedGit, which says one thing whatever failed.
 */
export async function openGuardedGit(home: string): Promise<OpenGuardedGit> {
  const token = randomBytes(24).toString("hex");
  const auth = `Basic ${Buffer.from(`quire:${token}`).toString("base64")}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), "quire-git-net-"));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const proxy = await startFilteringProxy({
    policy: { domains: [], preset: false, methods: "all" },
    setup: { domains: null, destinations: await operatorRule(home) },
    hostClientToken: token,
  }).catch(async (error: unknown) => {
    await removeDir();
    throw error;
  });
  const close = async (): Promise<void> => {
    await proxy.close();
    await removeDir();
  };
  try {
    const script = path.join(dir, "connect.cjs");
    const command = path.join(dir, "connect");
    await writeFile(script, CONNECT_SCRIPT);
    await writeFile(command, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
    await chmod(command, 0o700);
    const proxyUrl = `http://quire:${token}@127.0.0.1:${proxy.port}`;
    // BatchMode: never wait on a prompt (host key, password) nobody can answer.
    const ssh = `ssh -o BatchMode=yes -o ProxyCommand='${command} %h %p'`;
    const guard: GuardedGit = {
      configArgs: [
        ...["-c", `http.proxy=${proxyUrl}`, "-c", "http.proxyAuthMethod=basic"],
        ...["-c", `core.gitProxy=${command}`, "-c", `core.sshCommand=${ssh}`],
      ],
      env: {
        // Nothing may bypass the proxy: not the operator's exceptions, not another proxy.
        NO_PROXY: "",
        no_proxy: "",
        GIT_SSH_COMMAND: ssh,
        GIT_PROXY_COMMAND: command,
        QUIRE_SOURCE_PROXY: `127.0.0.1 ${proxy.port}`,
        QUIRE_SOURCE_PROXY_AUTH: auth,
      },
    };
    return { guard, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Runs `work` with git options that send every connection through a proxy with the rule, then
 * closes the proxy. Any failure becomes the one generic message.
 */
export async function withGuardedGit<T>(home: string, work: (guard: GuardedGit) => Promise<T>): Promise<T> {
  let opened: OpenGuardedGit | undefined;
  try {
    opened = await openGuardedGit(home);
    return await work(opened.guard);
  } catch {
    throw new SourceFetchError();
  } finally {
    await opened?.close();
  }
}

export class SourceFetchError extends Error {
  constructor() {
    super(SOURCE_FETCH_FAILED);
    this.name = "SourceFetchError";
  }
}
