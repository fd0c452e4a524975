/**
 * `quire exec` against a server: create the task (or send a follow-up), stream its events as the
 * local run prints them (JSON Lines with --json, the readable log otherwise) until it ends, and
 * exit with the local run's codes. Ctrl-C cancels the task on the server; twice quits at once.
 */
import { writeFile } from "node:fs/promises";
import type { ImageInput, QuireEvent } from "@quire/core";
import {
  createTask,
  findEnvironment,
  findRepository,
  followTaskEvents,
  getTask,
  type QuireApiClient,
  type RemoteRepository,
  type RemoteTaskMode,
  sendFollowUp,
} from "@quire/server";
import { ReadableLog } from "../exec/readable-log.js";
import { formatReview } from "../exec/review-format.js";
import { gitCheckout, UsageProblem } from "../review/usage-checks.js";
import { describeCheckout, repositoryForCheckout } from "./checkout-repository.js";
import { exitCodeOf } from "./exit-codes.js";

export interface RemoteExecFlags {
  json?: boolean;
  mode: RemoteTaskMode;
  cd?: string;
  resume?: string;
  env?: string;
  ref?: string;
  repo?: string;
  attempts?: number;
  detach?: boolean;
  outputLastMessage?: string;
  base?: string;
  reviewOf?: string;
}

export async function runRemoteExec(
  client: QuireApiClient,
  prompt: { text: string; images: ImageInput[] },
  flags: RemoteExecFlags,
  outputFile: string | undefined,
): Promise<number> {
  const log = flags.json ? null : new ReadableLog(process.stderr);
  let taskId: string;
  let after = 0;
  if (flags.resume) {
    taskId = flags.resume;
    after = await sendFollowUp(client, taskId, prompt.text, prompt.images);
  } else {
    const repository = await chosenRepository(client, flags);
    const environment = flags.env ? await findEnvironment(client, repository.id, flags.env) : undefined;
    const task = await createTask(client, {
      repo: repository.id,
      ...(await startingPoint(client, repository, flags)),
      mode: flags.mode,
      ...(prompt.text ? { prompt: prompt.text } : {}),
      ...(prompt.images.length > 0 ? { images: prompt.images.map((image) => ({ data: image.data })) } : {}),
      ...(flags.attempts !== undefined ? { attempts: flags.attempts } : {}),
      ...(environment ? { environment } : {}),
    });
    taskId = task.id;
  }
  if (flags.detach) {
    process.stdout.write(`${taskId}\n`);
    return 0;
  }
  const task = await getTask(client, taskId);
  log?.remoteStarted({ id: taskId, mode: task.mode, server: client.server });

  const controller = new AbortController();
  let cancelling = false;
  const onSigint = (): void => {
    if (cancelling) process.exit(130);
    cancelling = true;
    process.stderr.write(`\nquire exec: cancelling task ${taskId} on the server (Ctrl-C again to quit at once)…\n`);
    client.json("POST", `/api/tasks/${encodeURIComponent(taskId)}/cancel`).catch((error: Error) => {
      process.stderr.write(`quire exec: ${error.message}\n`);
    });
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  let last: Extract<QuireEvent, { type: "task.completed" }> | null = null;
  let status: string;
  try {
    const ended = await followTaskEvents(
      client,
      taskId,
      ({ event, attemptId }) => {
        if (event.type === "task.completed" && (attemptId === null || task.attemptsRequested === 1)) last = event;
        if (flags.json) process.stdout.write(`${JSON.stringify(event)}\n`);
        else log?.event(event);
      },
      { after, signal: controller.signal, onReconnect: (seq, reason) => log?.reconnecting(seq, reason) },
    );
    status = ended.status;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  const final = await getTask(client, taskId);
  const finalEvent = last as Extract<QuireEvent, { type: "task.completed" }> | null;
  log?.summary({
    id: taskId,
    status: final.status || status,
    reason: final.reason,
    diff: finalEvent?.diff ?? "",
    diffCut: finalEvent?.diff_truncated === true,
    usage: finalEvent?.usage ?? null,
  });
  // A review is read as its findings, as `quire review` prints them.
  if (!flags.json && final.review) process.stdout.write(formatReview(final.review));
  else if (!flags.json && final.finalMessage) process.stdout.write(`${final.finalMessage.trimEnd()}\n`);
  if (outputFile) await writeFile(outputFile, final.finalMessage ?? "");
  return exitCodeOf(final.status);
}

/**
 * Where the task starts: `--ref` (default: this checkout's branch); a review compares it with `--base`
 * (default: the repository's default branch), or reviews another task's result (`--review-of`).
 */
async function startingPoint(
  client: QuireApiClient,
  repository: RemoteRepository,
  flags: RemoteExecFlags,
): Promise<{ ref?: string; base?: string; reviewOf?: string }> {
  if (flags.mode === "review" && flags.reviewOf) return { reviewOf: flags.reviewOf };
  const ref = flags.ref ?? (await defaultRef(client, repository, flags));
  if (flags.mode !== "review") return { ref };
  const base = flags.base ?? repository.defaultBranch;
  if (base === ref)
    throw new UsageProblem(
      `nothing to review: the change would be ${base} against itself (--ref for the branch to review, --base for what it is compared with, or --review-of TASK)`,
    );
  return { ref, base };
}

async function chosenRepository(client: QuireApiClient, flags: RemoteExecFlags): Promise<RemoteRepository> {
  if (flags.repo) return findRepository(client, flags.repo);
  const checkout = await describeCheckout(await gitCheckout(flags.cd ?? "."));
  return repositoryForCheckout(client, checkout);
}

/**
 * The checkout's branch when the server has it (a server sharing this machine's repository, or a
 * pushed branch), else the repository's default branch, said on stderr.
 */
async function defaultRef(
  client: QuireApiClient,
  repository: RemoteRepository,
  flags: RemoteExecFlags,
): Promise<string> {
  if (flags.repo) return repository.defaultBranch;
  const { branch } = await describeCheckout(await gitCheckout(flags.cd ?? "."));
  if (!branch || branch === repository.defaultBranch) return repository.defaultBranch;
  const { branches } = await client.json<{ branches: (string | { name: string })[] }>(
    "GET",
    `/api/repositories/${encodeURIComponent(repository.id)}/branches`,
  );
  const names = branches.map((entry) => (typeof entry === "string" ? entry : entry.name));
  if (names.includes(branch)) return branch;
  process.stderr.write(
    `quire exec: note: branch ${branch} is not on the server; the task starts from ${repository.defaultBranch} (--ref to choose)\n`,
  );
  return repository.defaultBranch;
}
