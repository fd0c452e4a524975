/**
 * Reviewing new and updated pull requests by themselves, for repositories that switched it on:
 * not drafts, not Quire's own branches (its deliveries and their updates), and only for an author
 * who may start work (as for a comment); nobody is told when one is skipped.
 */
import { previousDeliveryOf } from "../delivery/previous-delivery.js";
import { forgeClient } from "./client.js";
import { commenterFor } from "./commenters.js";
import type { ForgeAnswers } from "./answers.js";
import type { ForgeContext } from "./settings.js";
import { reviewModeAvailable, startForgeTask } from "./start-task.js";
import type { PullRequestEvent } from "./webhook-events.js";

export type AutoReviewOutcome = "started" | "skipped";

/**
 * Why a pull request event is not reviewed, or null when it is: drafts, Quire's own branches
 * (its deliveries, by their `quire/` names and by the branches recorded), and servers without review mode.
 */
export function skipReason(
  event: Pick<PullRequestEvent, "draft" | "headBranch">,
  deliveredBranches: readonly string[],
  available: boolean = reviewModeAvailable,
): string | null {
  if (!available) return "review mode is not available";
  if (event.draft) return "a draft";
  if (event.headBranch.startsWith("quire/") || deliveredBranches.includes(event.headBranch))
    return "Quire's own branch";
  return null;
}

export async function autoReview(
  ctx: ForgeContext,
  answers: ForgeAnswers,
  event: PullRequestEvent,
): Promise<AutoReviewOutcome> {
  if (skipReason(event, [])) return "skipped";
  const repositories = (await ctx.repos.repositories.findByForge(event.forge, event.repo)).filter((r) => r.autoReview);
  if (repositories.length === 0) return "skipped";
  const client = forgeClient({ kind: event.forge, repo: event.repo }, ctx.delivery.forges);
  for (const repository of repositories) {
    const delivered = await ctx.repos.tasks.list({ repositoryId: repository.id, delivered: true, limit: 500 });
    const branches = delivered.map((task) => previousDeliveryOf(task.delivery)?.branch ?? "");
    if (skipReason(event, branches)) return "skipped";
    const commenter = await commenterFor(ctx, client, repository, event.author);
    if (!commenter.ok) continue;
    const pullRequest = await client.pullRequest(event.number);
    const prompt = [
      `Review pull request #${event.number} (${event.action === "opened" ? "new" : "updated"}).`,
      `It merges ${pullRequest.headBranch} (${pullRequest.headSha}) into ${pullRequest.baseBranch} (base ${pullRequest.baseSha}).`,
    ].join("\n\n");
    const started = await startForgeTask(ctx, commenter.actor, {
      repository,
      mode: "review",
      prompt,
      ref: pullRequest.headBranch,
      base: pullRequest.baseBranch,
    });
    if ("refusal" in started) return "skipped";
    await answers.expect({
      taskId: started.task.id,
      forge: event.forge,
      forgeRepo: event.repo,
      number: event.number,
      onPullRequest: true,
      command: "review",
      login: event.author.login,
    });
    return "started";
  }
  return "skipped";
}
