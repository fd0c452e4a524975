/**
 * Runs git for delivery, on the host, through core's hardened host git (no hooks, no fsmonitor,
 * no system or user configuration, no credential helpers, no prompts, only the usual transports),
 * with an empty HOME of the delivery's own and its errors as GitError.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { hostGit, HostGitError, hostGitMessage, type HostGitOptions, runHostGit } from "@quire/core";
import { GitError } from "./errors.js";

export interface GitContext {
  /** An empty directory of Quire's, used as HOME so that no ~/.gitconfig is read. */
  home: string;
  signal?: AbortSignal;
  /** Applied to everything git printed before it goes into an error message. */
  redact?: (text: string) => string;
  /**
   * Options that send git's connections through the destination rule's proxy
   * (sources/source-network.ts): set when the remote is a registered URL.
   */
  network?: { configArgs: string[]; env: NodeJS.ProcessEnv };
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

function hostOptions(run: GitRun, context: GitContext): HostGitOptions {
  // The rule's variables win over the run's (its ssh command carries the proxy).
  const env = context.network ? { ...run.env, ...definedValues(context.network.env) } : run.env;
  return {
    cwd: run.cwd,
    home: context.home,
    ...(run.input !== undefined ? { input: run.input } : {}),
    ...(env ? { env } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.redact ? { redact: context.redact } : {}),
  };
}

function definedValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** git's arguments, after the rule's `-c` options when the context has them. */
function withNetwork(args: string[], context: GitContext): string[] {
  return context.network ? [...context.network.configArgs, ...args] : args;
}

/** Runs git and reports how it ended; never throws for a non-zero exit (only for abort or spawn failure). */
export async function runGit(args: string[], run: GitRun, context: GitContext): Promise<GitResult> {
  const result = await runHostGit(withNetwork(args, context), hostOptions(run, context));
  return { stdout: result.stdout.toString("utf8"), stderr: result.stderr, exitCode: result.exitCode };
}

/** What git said, redacted and trimmed to its last lines (the cause is at the end). */
export function gitMessage(result: GitResult, context: GitContext): string {
  return hostGitMessage(result, context.redact);
}

/** Runs git and returns its stdout; a non-zero exit becomes a GitError naming the subcommand. */
export async function git(args: string[], run: GitRun, context: GitContext): Promise<string> {
  try {
    return await hostGit(withNetwork(args, context), hostOptions(run, context));
  } catch (error) {
    if (error instanceof HostGitError) throw new GitError(error.message);
    throw error;
  }
}
