/**
 * Checks of what a command line names (a directory, an output file) made before any work starts,
 * so a typo costs nothing: no model call, no task record. Each failure is a usage error (exit 2).
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { inspectSource, NotAGitRepositoryError } from "@quire/core";

export class UsageProblem extends Error {}

/** `dir` resolved, or a UsageProblem saying it does not exist or is not a directory. */
export async function existingDirectory(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  const info = await stat(resolved).catch(() => undefined);
  if (!info) throw new UsageProblem(`the directory ${resolved} does not exist`);
  if (!info.isDirectory()) throw new UsageProblem(`${resolved} is not a directory`);
  return resolved;
}

/** `dir` resolved, when it is inside a git repository with a commit (what a task starts from). */
export async function gitCheckout(dir: string): Promise<string> {
  const resolved = await existingDirectory(dir);
  await inspectSource(resolved).catch((error: unknown) => {
    if (error instanceof NotAGitRepositoryError) throw new UsageProblem(error.message);
    throw error;
  });
  return resolved;
}

/** Whether `file` can be written: its directory exists and is writable, and it is not a directory. */
export async function writableFile(file: string): Promise<string> {
  const resolved = path.resolve(file);
  const info = await stat(resolved).catch(() => undefined);
  if (info?.isDirectory()) throw new UsageProblem(`${resolved} is a directory, not a file`);
  const parent = path.dirname(resolved);
  await existingDirectory(parent);
  await access(info ? resolved : parent, constants.W_OK).catch(() => {
    throw new UsageProblem(`${info ? resolved : parent} is not writable`);
  });
  return resolved;
}
