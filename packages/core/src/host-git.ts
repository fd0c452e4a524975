/**
 * Every git that Quire runs on the host (reading a source, cloning a registered URL, making a
 * snapshot, delivering) runs through here, with nothing that could run code or leak a secret
 * behind Quire's back: no hooks, no fsmonitor, no system or user configuration (HOME is empty or
 * absent), no credential helpers, no prompts, no pager, only the transports asked for (`ext::` and
 * other remote helpers would run commands named by a URL), and a minimal environment. A
 * repository's own config still applies otherwise, which is why a workspace that setup or the
 * agent wrote to is never handed to git here (see tasks/sandboxed-git.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** Transports a host git may use unless a caller narrows them (sources: no `file`). */
export const HOST_GIT_PROTOCOLS: readonly string[] = Object.freeze(["file", "git", "ssh", "http", "https"]);

/** Where git finds no configuration of a user: it does not exist, and nothing creates it. */
const NO_HOME = "/nonexistent/quire-git-home";

/** Output kept of one command (a repack's listing, a blob): past it the command fails. */
const DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/**
 * What git may see of Quire's own environment: the search path, the ssh agent, proxies and CA
 * bundles (a push must work behind a corporate proxy). Nothing else: GIT_DIR, GIT_CONFIG_* or
 * GIT_SSH_COMMAND inherited from a shell would change what these commands do.
 */
const INHERITED = [
  "PATH",
  "SSH_AUTH_SOCK",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
];

export interface HostGitOptions {
  cwd: string;
  /** Given on stdin. */
  input?: string | Buffer;
  /** Extra environment (an index file, author identity, GIT_CONFIG_COUNT entries, a proxy command). */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** An empty directory of Quire's used as HOME; by default one that does not exist. */
  home?: string;
  /** The transports allowed (default HOST_GIT_PROTOCOLS); everything else is refused. */
  protocols?: readonly string[];
  /** Bytes of stdout kept; more fails the command (default 512 MiB). */
  maxOutputBytes?: number;
  /** Applied to what git printed before it goes into an error message. */
  redact?: (text: string) => string;
}

export interface HostGitResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/** A git command that exited non-zero (or printed more than it may); the message is redacted. */
export class HostGitError extends Error {
  override name = "HostGitError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The `-c` options every host git gets, before the caller's arguments. */
export function hostGitConfigArgs(protocols: readonly string[] = HOST_GIT_PROTOCOLS): string[] {
  return [
    ...["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "credential.helper="],
    ...["-c", "protocol.allow=never", ...protocols.flatMap((name) => ["-c", `protocol.${name}.allow=always`])],
    "--no-pager",
  ];
}

/** The environment of a host git: what INHERITED names, no user or system config, English, no prompts. */
export function hostGitEnv(options: Pick<HostGitOptions, "env" | "home"> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const home = options.home ?? NO_HOME;
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    // Stable English messages: they are shown to users and matched in a few places.
    LC_ALL: "C",
    ...options.env,
  };
}

/** Starts git with the protections, for a caller that streams its output (a pack into a file). */
export function spawnHostGit(args: string[], options: HostGitOptions): ChildProcessWithoutNullStreams {
  return spawn("git", [...hostGitConfigArgs(options.protocols), ...args], {
    cwd: options.cwd,
    env: hostGitEnv(options),
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Runs git and reports how it ended; never throws for a non-zero exit (only for abort or spawn failure). */
export function runHostGit(args: string[], options: HostGitOptions): Promise<HostGitResult> {
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise((resolve, reject) => {
    const child = spawnHostGit(args, options);
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let overflowed = false;
    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes <= maxOutputBytes) stdout.push(chunk);
      else if (!overflowed) {
        overflowed = true;
        child.kill("SIGKILL");
      }
    });
    // What git says on stderr is read for its last lines: the first 64 KiB are more than enough.
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderrBytes < 64 * 1024) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const said = Buffer.concat(stderr).toString("utf8");
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: overflowed ? `${said}\nprinted more than ${maxOutputBytes} bytes and was stopped` : said,
        exitCode: overflowed ? -1 : (code ?? -1),
      });
    });
    // git may exit before reading all of its input (a patch it rejects early): not an error here.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/** What git said, redacted and trimmed to its last lines (the cause is at the end). */
export function hostGitMessage(
  result: Pick<HostGitResult, "stderr" | "exitCode"> & { stdout: Buffer | string },
  redact?: (text: string) => string,
): string {
  const text = (result.stderr.trim() || result.stdout.toString("utf8").trim() || `exit code ${result.exitCode}`)
    .split("\n")
    .slice(-20)
    .join("\n");
  return redact ? redact(text) : text;
}

/** Runs git and returns its stdout as bytes; a non-zero exit becomes a HostGitError naming the subcommand. */
export async function hostGitBytes(args: string[], options: HostGitOptions): Promise<Buffer> {
  const result = await runHostGit(args, options);
  if (result.exitCode === 0) return result.stdout;
  throw new HostGitError(
    `git ${subcommandOf(args)} failed: ${hostGitMessage(result, options.redact)}`,
    result.exitCode,
  );
}

/** Runs git and returns its stdout as text; see hostGitBytes. */
export async function hostGit(args: string[], options: HostGitOptions): Promise<string> {
  return (await hostGitBytes(args, options)).toString("utf8");
}

/** The first argument that is not an option (nor an option's value, for `-c name=value`). */
function subcommandOf(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-c" || arg === "-C") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return "git";
}
