/**
 * `quire tasks`, `diff`, `logs`, `wait`, `deliver` and `apply` against a server (the remote side
 * of commands/tasks.ts and commands/remote-only.ts).
 */
import { deliverTask, followTaskEvents, getTask, listTasks, type QuireApiClient, waitForTask } from "@quire/server";
import { ReadableLog } from "../exec/readable-log.js";
import { applyToCheckout } from "../review/apply-diff.js";
import { exitCodeOf } from "./exit-codes.js";

const id = (value: string): string => encodeURIComponent(value);

export async function remoteTasks(client: QuireApiClient, flags: { json?: boolean }): Promise<void> {
  const tasks = await listTasks(client);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(tasks, null, 2)}\n`);
    return;
  }
  if (tasks.length === 0) {
    process.stdout.write(`no tasks on ${client.server} yet (start one with \`quire exec "…"\`)\n`);
    return;
  }
  for (const task of tasks) {
    const stat = task.diffStats ? `+${task.diffStats.insertions}/-${task.diffStats.deletions}` : "";
    const prompt = task.prompt.replace(/\s+/g, " ").slice(0, 60);
    process.stdout.write(
      `${task.id}  ${task.status.padEnd(11)}  ${task.mode.padEnd(6)}  ${task.createdAt.slice(0, 16).replace("T", " ")}  ${stat.padEnd(9)}  ${prompt}\n`,
    );
  }
}

export async function remoteDiff(client: QuireApiClient, taskId: string): Promise<void> {
  const response = await client.send("GET", `/api/tasks/${id(taskId)}/diff`);
  // Streamed through: a large diff is never held whole here.
  if (!response.body) return;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
}

export async function remoteApply(
  client: QuireApiClient,
  taskId: string,
  dir: string,
  attemptId?: string,
): Promise<void> {
  // Without an attempt the server answers with the task's chosen one (the best ranked).
  const query = attemptId ? `?attempt=${encodeURIComponent(attemptId)}` : "";
  const { text } = await client.text(`/api/tasks/${id(taskId)}/diff${query}`);
  await applyToCheckout(taskId, text, dir);
}

/** The task's events so far (or, with follow, until it ends) as the readable log on stdout, or JSON Lines. */
export async function remoteLogs(
  client: QuireApiClient,
  taskId: string,
  flags: { follow?: boolean; json?: boolean },
): Promise<number> {
  const task = await getTask(client, taskId);
  const log = flags.json ? null : new ReadableLog(process.stdout);
  const ended = await followTaskEvents(
    client,
    taskId,
    ({ event }) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(event)}\n`);
      else log?.event(event);
    },
    {
      ...(flags.follow ? {} : { upTo: task.lastEventSeq }),
      onReconnect: (seq, reason) => log?.reconnecting(seq, reason),
    },
  );
  const status = flags.follow ? ended.status : task.status;
  if (!flags.json) process.stdout.write(`task ${taskId} ${status}\n`);
  return 0;
}

/** Waits for the task to end; prints its final message, exits as `quire exec` would have. */
export async function remoteWait(client: QuireApiClient, taskId: string, timeoutSeconds?: number): Promise<number> {
  const task = await waitForTask(client, taskId, {
    ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
  });
  const reason = task.reason ? `: ${task.reason}` : "";
  process.stderr.write(`task ${task.id} ${task.status}${reason}\n`);
  if (task.finalMessage && !["queued", "preparing", "running"].includes(task.status))
    process.stdout.write(`${task.finalMessage.trimEnd()}\n`);
  return exitCodeOf(task.status);
}

export async function remoteDeliver(client: QuireApiClient, taskId: string, branch?: string): Promise<void> {
  const delivery = await deliverTask(client, taskId, branch ? { branch } : {});
  const pullRequest = delivery.pullRequest?.url ? ` · pull request ${delivery.pullRequest.url}` : "";
  process.stdout.write(
    `delivered task ${taskId} to branch ${delivery.branch} (${delivery.commit.slice(0, 10)})${pullRequest}\n`,
  );
}
