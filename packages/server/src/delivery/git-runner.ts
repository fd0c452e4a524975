/**
 * Runs git for delivery, on the host, with nothing that could run code behind Quire's back:
 * no hooks, no fsmonitor, no system or user configuration (HOME is an empty directory), no
 * credential helpers, no prompts, and only the transports delivery needs (`ext::` and other
 * remote helpers would run commands named by a URL).
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { GitError } from "./errors.js";

const HARDENING = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "credential.helper=",
  "-c",
  "protocol.allow=never",
  ...["file", "git", "ssh", "http", "https"].flatMap((name) => ["-c", `protocol.${name}.allow=always`]),
];

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

export interface GitContext {
  /** An empty directory of Quire's, used as HOME so that no ~/.gitconfig is read. */
  home: string;
  signal?: AbortSignal;
  /** Applied to everything git printed before it goes into an error message. */
  redact?: (text: string) => string;
}

export interface GitRun {
  cwd: string;
  input?: string;
  /** Extra environment (an index file, author identity, GIT_CONFIG_COUNT entries). */
  env?: Record<string, string>;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Makes the empty HOME that `runGit` points git at. */
export async function prepareGitHome(workDir: string): Promise<string> {
  const home = path.join(workDir, "git-home");
  await mkdir(home, { recursive: true });
  return home;
}

function environment(context: GitContext, extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    HOME: context.home,
    XDG_CONFIG_HOME: path.join(context.home, ".config"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    // Stable English messages: they are shown to users and matched in a few places.
    LC_ALL: "C",
    ...extra,
  };
}

/** Runs git and reports how it ended; never throws for a non-zero exit (only for abort or spawn failure). */
export function runGit(args: string[], run: GitRun, context: GitContext): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...HARDENING, ...args], {
      cwd: run.cwd,
      env: environment(context, run.env),
      signal: context.signal,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        exitCode: code ?? -1,
      }),
    );
    // git may exit before reading all of its input (a patch it rejects early): not an error here.
    child.stdin.on("error", () => {});
    child.stdin.end(run.input ?? "");
  });
}

/** What git said, redacted and trimmed to its last lines (the cause is at the end). */
export function gitMessage(result: GitResult, context: GitContext): string {
  const text = (result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`)
    .split("\n")
    .slice(-20)
    .join("\n");
  return context.redact ? context.redact(text) : text;
}

/** Runs git and returns its stdout; a non-zero exit becomes a GitError naming the subcommand. */
export async function git(args: string[], run: GitRun, context: GitContext): Promise<string> {
  const result = await runGit(args, run, context);
  if (result.exitCode !== 0) {
    const subcommand = args.find((arg) => !arg.startsWith("-")) ?? "git";
    throw new GitError(`git ${subcommand} failed: ${gitMessage(result, context)}`);
  }
  return result.stdout;
}
