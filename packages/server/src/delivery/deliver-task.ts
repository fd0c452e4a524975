/**
 * Delivering a finished attempt of a stored task: its whole diff, on its base commit, to the
 * branch (and pull request) it was delivered to before unless another is named; the record, the
 * `task.delivered` event and the workspace's `task.delivered` webhooks follow. The one way a task
 * is delivered: POST /api/tasks/{id}/deliver (and the MCP tool and `quire deliver` through it) and
 * forge comments (a task started by `@quire` is delivered when it ends).
 */
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { appendAndPublish, type EventHub } from "../events/event-hub.js";
import { type Notifier, taskNotice } from "../notifications/index.js";
import type { Attempt, Task } from "../storage/index.js";
import { wholeDiffOf } from "../tasks/diff-storage.js";
import { openSource, type SourceAccess } from "../sources/open-source.js";
import { openGuardedGit, type OpenGuardedGit } from "../sources/source-network.js";
import { isGitUrl } from "../sources/sources.js";
import type { ForgesConfig } from "./forges-config.js";
import type { Author } from "./commit-diff.js";
import { deliveryBranchName } from "./branch-name.js";
import { deliver, type DeliverResult } from "./deliver.js";
import { deliveryBody } from "./delivery-body.js";
import { DeliveryError } from "./errors.js";
import { changesSince, previousDeliveryOf } from "./previous-delivery.js";
import { pushTargetOf } from "./push-target.js";

export interface DeliverTaskOptions {
  branch?: string;
  title?: string;
  body?: string;
  /** Added after the generated body (e.g. "Fixes #12" for the issue the task came from). */
  bodySuffix?: string;
  /** The caller answers on the pull request itself: no update comment from the delivery. */
  noUpdateComment?: boolean;
}

export type TaskDelivery = DeliverResult & { attemptId: string; deliveredAt: string };

/** The task has nothing a delivery could push (no change, or no repository or base commit left): a 409. */
export class NothingToDeliverError extends DeliveryError {
  override name = "NothingToDeliverError";
}

export function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 72 ? `${line.slice(0, 71)}…` : line || "Quire task";
}

export async function deliverTask(
  ctx: SourceAccess & { hub: EventHub; delivery: { author: Author; forges: ForgesConfig }; notifier?: Notifier },
  task: Task,
  attempt: Attempt,
  options: DeliverTaskOptions = {},
): Promise<TaskDelivery> {
  const { repos } = ctx;
  const diff = await wholeDiffOf(attempt, repos.blobs);
  if (diff.trim() === "")
    throw new NothingToDeliverError(`task ${task.id} changed nothing: there is nothing to deliver`);
  const repository = await repos.repositories.get(task.repositoryId);
  if (!repository || !task.baseCommit) {
    throw new NothingToDeliverError(`task ${task.id} has no repository or base commit`);
  }
  const workDir = await mkdtemp(path.join(ctx.home, "delivery-"));
  let network: OpenGuardedGit | undefined;
  try {
    // A registered URL is pushed to under the rule its clone and fetches follow: public hosts, or
    // what the operator allowed, checked on the address connected to (its name may resolve
    // elsewhere by now).
    if (isGitUrl(repository.source)) network = await openGuardedGit(ctx.home);
    const sourceRepo = await openSource(ctx, repository, { commit: task.baseCommit });
    // The follow-ups the attempt has run (taken by its worker), oldest first.
    const followUps = (await repos.messages.listForTask(task.id)).filter(
      (message) => message.deliveredAt !== null && (message.attemptId ?? attempt.id) === attempt.id,
    );
    // Delivering again goes to the same branch (and pull request) unless the request names another.
    const previous = previousDeliveryOf(task.delivery);
    const generated = deliveryBody(
      task.prompt,
      followUps.map((message) => message.text),
      attempt.finalMessage,
    );
    const body = [options.body ?? generated, options.bodySuffix].filter(Boolean).join("\n\n");
    const result = await deliver({
      sourceRepo,
      ...pushTargetOf(repository, sourceRepo, ctx.localSources),
      forge: repository.forge,
      remoteCredentials: await repos.repositories.credentials(repository.id),
      baseCommit: task.baseCommit,
      diff,
      branch: options.branch ?? previous?.branch ?? deliveryBranchName(task),
      previous,
      changes: changesSince(followUps, previous?.deliveredAt),
      noUpdateComment: options.noUpdateComment,
      title: options.title ?? firstLine(task.prompt),
      body,
      author: ctx.delivery.author,
      baseBranch: task.ref,
      forges: ctx.delivery.forges,
      workDir,
      ...(network ? { network: network.guard } : {}),
    });
    const delivery = { ...result, attemptId: attempt.id, deliveredAt: new Date().toISOString() };
    await repos.tasks.setDelivery(task.id, delivery);
    await appendAndPublish(repos, ctx.hub, task.id, attempt.id, [
      {
        type: "task.delivered",
        task_id: task.id,
        attempt_id: attempt.id,
        branch: result.branch,
        commit: result.commit,
        remote: result.remote,
        ...(result.pullRequest ? { pull_request: result.pullRequest } : {}),
        message: result.message,
      },
    ]);
    await ctx.notifier?.notify("task.delivered", {
      ...taskNotice(task, attempt, task.status, repository.name),
      delivery: { branch: result.branch, commit: result.commit, pullRequest: result.pullRequest?.url ?? null },
    });
    return delivery;
  } finally {
    await network?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
