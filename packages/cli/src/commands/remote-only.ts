/**
 * Commands that exist for a server's tasks only: `quire logs`, `quire wait`, `quire deliver`.
 * (A local task's log is printed as it runs; delivery is a server's: it pushes and opens a PR.)
 */
import type { Command } from "commander";
import { positiveInt } from "../exec/run-options.js";
import { addServerOption, remoteClient, type ServerFlags } from "../remote/connection.js";
import { remoteDeliver, remoteLogs, remoteWait } from "../remote/remote-tasks.js";
import { UsageProblem } from "../review/usage-checks.js";
import type { QuireApiClient } from "@quire/server";

async function serverOrUsage(command: string, flags: ServerFlags): Promise<QuireApiClient> {
  const client = await remoteClient(flags);
  if (client) return client;
  throw new UsageProblem(
    `quire ${command} works on a server's tasks: pass --server URL, set QUIRE_SERVER, or run \`quire login --server URL\``,
  );
}

/** Runs a remote command: its problems are one line on stderr, exit 2 for a usage problem, 1 otherwise. */
async function run(command: string, work: () => Promise<number | void>): Promise<void> {
  try {
    const code = await work();
    if (typeof code === "number") process.exitCode = code;
  } catch (error) {
    const message = (error as Error).message.replace(/^quire \S+: /, "");
    process.stderr.write(`quire ${command}: ${message}\n`);
    process.exitCode = error instanceof UsageProblem ? 2 : 1;
  }
}

export function registerRemoteOnly(program: Command): void {
  addServerOption(
    program
      .command("logs")
      .description("Print a server task's events so far (readable, or JSON Lines with --json)")
      .argument("<task>", "task id")
      .option("-f, --follow", "keep printing until the task ends")
      .option("--json", "print events as JSON Lines"),
  ).action(async (taskId: string, flags: ServerFlags & { follow?: boolean; json?: boolean }) =>
    run("logs", async () => remoteLogs(await serverOrUsage("logs", flags), taskId, flags)),
  );

  addServerOption(
    program
      .command("wait")
      .description("Wait for a server task to end; print its final message; exit as `quire exec` would")
      .argument("<task>", "task id")
      .option("--timeout <seconds>", "give up after this long (exit 1, the task goes on)", positiveInt),
  ).action(async (taskId: string, flags: ServerFlags & { timeout?: number }) =>
    run("wait", async () => remoteWait(await serverOrUsage("wait", flags), taskId, flags.timeout)),
  );

  addServerOption(
    program
      .command("deliver")
      .description("Push a server task's diff as a branch and open a pull request (docs/delivery.md)")
      .argument("<task>", "task id")
      .option("--branch <name>", "the branch to push (default: the previous delivery's, else quire/<slug>-<id>)"),
  ).action(async (taskId: string, flags: ServerFlags & { branch?: string }) =>
    run("deliver", async () => remoteDeliver(await serverOrUsage("deliver", flags), taskId, flags.branch)),
  );
}
