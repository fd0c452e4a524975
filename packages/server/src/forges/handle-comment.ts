/**
 * A new comment that mentions Quire: who wrote it, what it asks for, and on which repository;
 * then a task (issue), a follow-up (a pull request Quire opened) or a review (any pull request),
 * answered at once with a link, or with why nothing was started. Each trigger is recorded so the
 * task's end is answered where it was asked (answers.ts).
 */
import { HttpError } from "../errors.js";
import type { Repository, ReviewTarget, Task } from "../storage/index.js";
import { chosenAttempt } from "../http/task-view.js";
import { previousDeliveryOf } from "../delivery/previous-delivery.js";
import { appendAudit } from "../accounts/audit.js";
import { forgeClient, type ForgeClient } from "./client.js";
import { commenterFor } from "./commenters.js";
import { readMention, type Mention } from "./mentions.js";
import { replies, skippedImagesNote, taskUrl } from "./replies.js";
import { commentImages } from "./comment-images.js";
import type { ForgeContext } from "./settings.js";
import { followUpFromForge, reviewModeAvailable, startForgeTask, type ForgeActor } from "./start-task.js";
import type { CommentEvent } from "./webhook-events.js";
import type { ForgeAnswers } from "./answers.js";

export type CommentOutcome = "ignored" | "refused" | "not_allowed" | "started" | "followed_up" | "declined";

/** The task that delivered to this pull request, if Quire opened it. */
async function taskOfPullRequest(
  ctx: ForgeContext,
  repository: Repository,
  event: CommentEvent,
): Promise<Task | undefined> {
  const delivered = await ctx.repos.tasks.list({ repositoryId: repository.id, delivered: true, limit: 500 });
  return delivered.find((task) => {
    const pullRequest = previousDeliveryOf(task.delivery)?.pullRequest;
    return pullRequest?.kind === event.forge && pullRequest.number === event.number;
  });
}

/** The finished change of the task behind a pull request Quire opened, as a review's target. */
async function resultOfQuiresPullRequest(
  ctx: ForgeContext,
  repository: Repository,
  event: CommentEvent,
): Promise<{ baseCommit: string; target: ReviewTarget } | undefined> {
  const task = await taskOfPullRequest(ctx, repository, event);
  if (!task?.baseCommit) return undefined;
  const attempt = await chosenAttempt(ctx.repos, task, undefined);
  if (attempt?.status !== "completed") return undefined;
  return { baseCommit: task.baseCommit, target: { kind: "task", taskId: task.id, attemptId: attempt.id } };
}

function taskPrompt(event: CommentEvent, mention: Mention): string {
  const kind = event.onPullRequest ? "Pull request" : "Issue";
  const parts = [`${kind} #${event.number}: ${event.title.trim()}`];
  if (event.description.trim()) parts.push(event.description.trim());
  const fallback = { ask: "(no question given)", review: "Review this pull request.", code: "Resolve this issue." };
  const request = mention.request.trim() || fallback[mention.command];
  parts.push(`Request from ${event.author.login} on the ${kind.toLowerCase()}:\n${request}`);
  return parts.join("\n\n");
}

async function auditTrigger(
  ctx: ForgeContext,
  actor: ForgeActor | null,
  repository: Repository,
  details: Record<string, unknown>,
) {
  await appendAudit(ctx.repos, {
    workspaceId: repository.workspaceId,
    actorUserId: actor?.userId ?? null,
    actorTokenId: null,
    action: "forge.comment",
    target: repository.id,
    details,
  });
}

export async function handleComment(
  ctx: ForgeContext,
  answers: ForgeAnswers,
  event: CommentEvent,
  linkBase: string,
): Promise<CommentOutcome> {
  const mention = readMention(event.comment, ctx.delivery.forges.mention);
  if (!mention) return "ignored";
  const candidates = await ctx.repos.repositories.findByForge(event.forge, event.repo);
  const [first] = candidates;
  if (!first) return "ignored";
  const client: ForgeClient = forgeClient({ kind: event.forge, repo: event.repo }, ctx.delivery.forges);
  // Of the workspaces that linked this project, the first where the commenter may act.
  let chosen: { repository: Repository; actor: ForgeActor } | undefined;
  let why = "";
  for (const repository of candidates) {
    const commenter = await commenterFor(ctx, client, repository, event.author);
    if (commenter.ok) {
      chosen = { repository, actor: commenter.actor };
      break;
    }
    why ||= commenter.why;
  }
  const base = {
    forge: event.forge,
    forgeRepo: event.repo,
    number: event.number,
    login: event.author.login,
    command: mention.command,
  };
  if (!chosen) {
    await auditTrigger(ctx, null, first, { ...base, outcome: "not_allowed", why });
    await client.comment(event.number, event.onPullRequest, replies.notAllowed(event.author.login));
    return "not_allowed";
  }
  const { repository, actor } = chosen;
  const say = (body: string) => client.comment(event.number, event.onPullRequest, body);

  if (event.onPullRequest && mention.command === "code") {
    const task = await taskOfPullRequest(ctx, repository, event);
    if (!task) {
      await auditTrigger(ctx, actor, repository, { ...base, outcome: "declined" });
      await say(replies.notQuiresPullRequest());
      return "declined";
    }
    const attached = await commentImages(ctx, client.target, event.comment);
    const followed = await followUpFromForge(ctx, actor, task, mention.request || "Continue.", attached.images);
    if ("refusal" in followed) {
      await auditTrigger(ctx, actor, repository, { ...base, outcome: "refused", limit: followed.refusal.limit });
      await say(replies.refused(followed.refusal));
      return "refused";
    }
    await answers.expect({ ...base, taskId: task.id, onPullRequest: true, command: "follow_up" });
    await auditTrigger(ctx, actor, repository, { ...base, outcome: "followed_up", taskId: task.id });
    await say(replies.followUp(taskUrl(linkBase, task.id)) + skippedImagesNote(attached.skipped));
    return "followed_up";
  }

  if (mention.command === "review" && (!event.onPullRequest || !reviewModeAvailable)) {
    await auditTrigger(ctx, actor, repository, { ...base, outcome: "declined" });
    await say(event.onPullRequest ? replies.reviewUnavailable() : "Quire reviews pull requests; this is an issue.");
    return "declined";
  }
  let ref = repository.defaultBranch;
  let reviewBase: string | undefined;
  let prompt = taskPrompt(event, mention);
  let reviewOf: { baseCommit: string; target: ReviewTarget } | undefined;
  if (mention.command === "review" || (event.onPullRequest && mention.command === "ask")) {
    const pullRequest = await client.pullRequest(event.number);
    ref = pullRequest.headBranch;
    if (mention.command === "review") reviewBase = pullRequest.baseBranch;
    prompt += `\n\nThe pull request merges ${pullRequest.headBranch} (${pullRequest.headSha}) into ${pullRequest.baseBranch} (base ${pullRequest.baseSha}).`;
  }
  if (mention.command === "review") {
    // A pull request Quire opened: its change is its task's result, which Quire holds whatever the
    // repository's source has fetched (a local checkout never sees the pushed branch).
    reviewOf = await resultOfQuiresPullRequest(ctx, repository, event);
    if (reviewOf) ref = (await taskOfPullRequest(ctx, repository, event))?.ref ?? ref;
  }
  const mode = mention.command === "review" ? "review" : mention.command === "ask" ? "ask" : "code";
  const attached = await commentImages(ctx, client.target, event.comment);
  let started: Awaited<ReturnType<typeof startForgeTask>>;
  try {
    const images = attached.images;
    started = await startForgeTask(ctx, actor, { repository, mode, prompt, ref, base: reviewBase, reviewOf, images });
  } catch (error) {
    // A request Quire cannot start (a ref it cannot resolve, say) is told where it was asked.
    if (!(error instanceof HttpError)) throw error;
    await auditTrigger(ctx, actor, repository, { ...base, outcome: "failed", why: error.message });
    await say(`Quire could not start this: ${error.message}`);
    return "declined";
  }
  if ("refusal" in started) {
    await auditTrigger(ctx, actor, repository, { ...base, outcome: "refused", limit: started.refusal.limit });
    await say(replies.refused(started.refusal));
    return "refused";
  }
  await answers.expect({
    ...base,
    taskId: started.task.id,
    onPullRequest: event.onPullRequest,
    command: mention.command,
  });
  await auditTrigger(ctx, actor, repository, { ...base, outcome: "started", taskId: started.task.id });
  const what = mode === "review" ? "a review" : mode === "ask" ? "an Ask task" : "a task";
  await say(replies.started(what, taskUrl(linkBase, started.task.id)) + skippedImagesNote(attached.skipped));
  return "started";
}
