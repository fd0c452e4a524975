import {
  ApplyConflictError,
  applyDiff,
  DiffAlreadyAppliedError,
  diffStat,
  git,
  LocalTaskStore,
  quireHome,
  type TaskRecord,
} from "@quire/core";
import type { Command } from "commander";
import { bestAttemptOfServerTask } from "../review/server-task.js";
import { existingDirectory, UsageProblem } from "../review/usage-checks.js";

function store(): LocalTaskStore {
  return new LocalTaskStore(quireHome());
}

function fail(command: string, error: unknown): void {
  process.stderr.write(`quire ${command}: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageProblem ? 2 : 1;
}

/**
 * A local task by id or prefix; on a server's home also a server task by the id its web app's URL
 * shows (its best attempt, which is a local task there).
 */
async function loadTask(id: string): Promise<TaskRecord> {
  try {
    return await store().load(id);
  } catch (error) {
    const attemptId = await bestAttemptOfServerTask(quireHome(), id);
    if (!attemptId) throw error;
    return store().load(attemptId);
  }
}

export function registerTaskCommands(program: Command): void {
  program
    .command("tasks")
    .description("List local tasks, newest first")
    .option("--json", "print the task records as JSON")
    .action(async (flags: { json?: boolean }) => {
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

  program
    .command("diff")
    .description("Print a task's diff against the commit it started from")
    .argument("<task>", "task id (or a unique prefix)")
    .action(async (id: string) => {
      try {
        const task = await loadTask(id);
        process.stdout.write(await store().loadDiff(task.id));
      } catch (error) {
        fail("diff", error);
      }
    });

  program
    .command("apply")
    .description("Apply a task's diff to a checkout; refuses on conflict and changes nothing then")
    .argument("<task>", "task id (or a unique prefix)")
    .option("-C, --cd <dir>", "checkout to apply to (default: the current directory)")
    .action(async (id: string, flags: { cd?: string }) => {
      try {
        const dir = await existingDirectory(flags.cd ?? ".");
        const task = await loadTask(id);
        const diff = await store().loadDiff(task.id);
        if (diff.trim() === "") {
          process.stdout.write(`task ${task.id} has no changes to apply\n`);
          return;
        }
        // git apply takes paths from the repository root, wherever inside it we are.
        const root = (await git(["rev-parse", "--show-toplevel"], { cwd: dir }).catch(() => dir)).trim();
        try {
          await applyDiff(diff, root);
        } catch (error) {
          if (!(error instanceof DiffAlreadyAppliedError)) throw error;
          // Exit 0: the checkout already is what applying would make it.
          process.stdout.write(`task ${task.id} is already applied to ${root}: nothing was changed\n`);
          return;
        }
        const stat = diffStat(diff);
        for (const file of stat.files) process.stdout.write(`  ${file.path} +${file.added} -${file.removed}\n`);
        process.stdout.write(
          `applied task ${task.id}: ${stat.files.length} file(s), +${stat.added} -${stat.removed}\n`,
        );
      } catch (error) {
        if (error instanceof ApplyConflictError) process.exitCode = 1;
        fail("apply", error);
      }
    });
}
