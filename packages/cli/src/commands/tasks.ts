import { ApplyConflictError, diffStat, LocalTaskStore, quireHome } from "@quire/core";
import type { Command } from "commander";
import { addServerOption, remoteClient, type ServerFlags } from "../remote/connection.js";
import { remoteApply, remoteDiff, remoteTasks } from "../remote/remote-tasks.js";
import { applyToCheckout } from "../review/apply-diff.js";
import { serverTaskDiff } from "../review/server-task.js";
import { existingDirectory, UsageProblem } from "../review/usage-checks.js";

function store(): LocalTaskStore {
  return new LocalTaskStore(quireHome());
}

function fail(command: string, error: unknown): void {
  process.stderr.write(`quire ${command}: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageProblem ? 2 : 1;
}

/**
 * A task's diff: a local task's by id or prefix; on a server's machine also a server task's (the id
 * its web app's URL shows: its best attempt) or one attempt's, read from the server's database.
 */
async function taskDiff(id: string): Promise<{ id: string; diff: string }> {
  try {
    const task = await store().load(id);
    return { id: task.id, diff: await store().loadDiff(task.id) };
  } catch (error) {
    const stored = await serverTaskDiff(quireHome(), id);
    if (!stored) throw error;
    return stored;
  }
}

export function registerTaskCommands(program: Command): void {
  addServerOption(
    program
      .command("tasks")
      .description("List tasks, newest first (the local home's, or a server's)")
      .option("--json", "print the task records as JSON"),
  ).action(async (flags: { json?: boolean } & ServerFlags) => {
    try {
      const client = await remoteClient(flags);
      if (client) return await remoteTasks(client, flags);
    } catch (error) {
      return fail("tasks", error);
    }
    const tasks = (await store().list()).reverse();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(tasks, null, 2)}\n`);
      return;
    }
    if (tasks.length === 0) {
      process.stdout.write('no tasks yet (start one with `quire exec "…"`)\n');
      return;
    }
    for (const task of tasks) {
      const stat = diffStat(await store().loadDiff(task.id));
      const prompt = (task.prompts[0] ?? "").replace(/\s+/g, " ").slice(0, 60);
      process.stdout.write(
        `${task.id}  ${task.status.padEnd(9)}  ${task.mode.padEnd(4)}  ${task.createdAt.slice(0, 16).replace("T", " ")}  +${stat.added}/-${stat.removed}  ${prompt}\n`,
      );
    }
  });

  addServerOption(
    program
      .command("diff")
      .description("Print a task's diff against the commit it started from")
      .argument("<task>", "task id (or a unique prefix of a local one)"),
  ).action(async (id: string, flags: ServerFlags) => {
    try {
      const client = await remoteClient(flags);
      if (client) return await remoteDiff(client, id);
      process.stdout.write((await taskDiff(id)).diff);
    } catch (error) {
      fail("diff", error);
    }
  });

  addServerOption(
    program
      .command("apply")
      .description("Apply a task's diff to a checkout; refuses on conflict and changes nothing then")
      .argument("<task>", "task id (or a unique prefix of a local one)")
      .option("-C, --cd <dir>", "checkout to apply to (default: the current directory)")
      .option("--attempt <id>", "with --server: this attempt's diff instead of the task's chosen one"),
  ).action(async (id: string, flags: { cd?: string; attempt?: string } & ServerFlags) => {
    try {
      const dir = await existingDirectory(flags.cd ?? ".");
      const client = await remoteClient(flags);
      if (client) return await remoteApply(client, id, dir, flags.attempt);
      if (flags.attempt) throw new UsageProblem("--attempt needs a server (--server, QUIRE_SERVER or quire login)");
      const task = await taskDiff(id);
      await applyToCheckout(task.id, task.diff, dir);
    } catch (error) {
      if (error instanceof ApplyConflictError) process.exitCode = 1;
      fail("apply", error);
    }
  });
}
