/**
 * Answering on the forge when a task started from a comment ends: a code task is delivered
 * (branch + pull request that fixes the issue) and summarised, an Ask task's answer is posted with
 * its citations linked at the commit, a follow-up is pushed to the same branch and replied to, a
 * review is posted as one review. Each trigger is answered once (a compare-and-set on its row);
 * triggers left unanswered by a restart are picked up again by resume().
 */
import { reviewResultSchema, type ReviewResult } from "@quire/core";
import { deliverTask, NothingToDeliverError } from "../delivery/deliver-task.js";
import { DeliveryError } from "../delivery/errors.js";
import { chosenAttempt } from "../http/task-view.js";
import { ACTIVE_STATUSES, type Attempt, type ForgeTrigger, type NewForgeTrigger, type Task } from "../storage/index.js";
import { forgeClient, type ForgeClient } from "./client.js";
import { prepareReview } from "./review-comments.js";
import { bounded, doneComment, linkCitations, replies, taskUrl, unmention } from "./replies.js";
import type { ForgeContext } from "./settings.js";

const VERIFICATION: Record<string, string> = {
  verified: "the repository's checks passed",
  checks_failed: "the repository's checks failed",
  skipped: "skipped",
};

/** The structured review a review task ended with: a stored field when review mode keeps one, else its final message as JSON. */
export function reviewResultOf(task: Task, attempt: Attempt): ReviewResult | null {
  const stored =
    (attempt as unknown as { review?: unknown }).review ?? (task as unknown as { review?: unknown }).review;
  const fromStore = reviewResultSchema.safeParse(stored);
  if (fromStore.success) return fromStore.data;
  const text = (attempt.finalMessage ?? "").trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
  try {
    const parsed = reviewResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Posts a review's findings on a pull request: inline where the diff has their lines, the rest in the body. */
export async function postReviewResult(client: ForgeClient, number: number, result: ReviewResult): Promise<void> {
  const pullRequest = await client.pullRequest(number);
  const diff = await client.pullRequestDiff(number);
  await client.postReview(pullRequest, prepareReview(result, diff));
}

export class ForgeAnswers {
  private readonly watching = new Set<string>();
  private closed = false;
  private readonly stop = new AbortController();
  /** Where the web app is, for links: configured, else where the last webhook reached this server. */
  linkBase: string;

  constructor(private readonly ctx: ForgeContext) {
    this.linkBase = ctx.delivery.forges.publicUrl ?? "http://127.0.0.1";
  }

  /** Records a trigger and answers it when its task ends. */
  async expect(trigger: NewForgeTrigger): Promise<void> {
    await this.ctx.repos.forges.addTrigger(trigger);
    this.watch(trigger.taskId);
  }

  /** After a restart: every task with an unanswered trigger is watched again. */
  async resume(): Promise<void> {
    for (const trigger of await this.ctx.repos.forges.unanswered()) this.watch(trigger.taskId);
  }

  close(): void {
    this.closed = true;
    this.stop.abort();
  }

  private watch(taskId: string): void {
    if (this.watching.has(taskId) || this.closed) return;
    this.watching.add(taskId);
    void this.untilEnded(taskId)
      .catch((error: unknown) => this.ctx.logger.error({ err: error, taskId }, "answering on the forge failed"))
      .finally(() => this.watching.delete(taskId));
  }

  private async untilEnded(taskId: string): Promise<void> {
    const subscription = this.ctx.hub.subscribe(taskId);
    try {
      for (;;) {
        if (this.closed) return;
        const task = await this.ctx.repos.tasks.get(taskId);
        if (!task) return;
        if (!ACTIVE_STATUSES.includes(task.status)) {
          const pending = await this.ctx.repos.forges.unansweredFor(taskId);
          for (const trigger of pending) {
            if (await this.ctx.repos.forges.markAnswered(trigger.id)) await this.answer(trigger, task);
          }
          // A follow-up asked while answering reopened the task: keep watching it.
          const now = await this.ctx.repos.tasks.get(taskId);
          if (!now || !ACTIVE_STATUSES.includes(now.status)) return;
        }
        // Published events wake this; the timeout covers workers in another process.
        await subscription.wait(15_000, this.stop.signal);
      }
    } finally {
      subscription.close();
    }
  }

  private async answer(trigger: ForgeTrigger, task: Task): Promise<void> {
    const client = forgeClient({ kind: trigger.forge, repo: trigger.forgeRepo }, this.ctx.delivery.forges);
    const say = (body: string) => client.comment(trigger.number, trigger.onPullRequest, bounded(body));
    const link = taskUrl(this.linkBase, task.id);
    const attempt = task.status === "completed" ? await chosenAttempt(this.ctx.repos, task, undefined) : undefined;
    if (!attempt) return say(replies.failed(link, task.reason ?? `the task ended ${task.status}`));
    const summary = attempt.finalMessage ?? "";
    if (trigger.command === "ask") {
      const commit = task.baseCommit ?? task.ref;
      const answer = linkCitations(unmention(summary), (path, start, end) => client.blobUrl(commit, path, start, end));
      return say(`${answer}\n\n---\nQuire's answer at \`${commit.slice(0, 12)}\`: ${link}`);
    }
    if (trigger.command === "review") {
      const result = reviewResultOf(task, attempt);
      if (!result) return say(replies.failed(link, "the review ended without findings in the expected form"));
      return postReviewResult(client, trigger.number, result);
    }
    const verification = attempt.verification ? (VERIFICATION[attempt.verification] ?? attempt.verification) : null;
    try {
      const followUp = trigger.command === "follow_up";
      const delivery = await deliverTask(this.ctx, task, attempt, {
        ...(followUp ? { noUpdateComment: true } : { bodySuffix: `Fixes #${trigger.number}` }),
      });
      return say(
        doneComment({
          summary,
          verification,
          pullRequestUrl: followUp ? undefined : delivery.pullRequest?.url,
          message: delivery.message,
          taskUrl: link,
        }),
      );
    } catch (error) {
      if (error instanceof NothingToDeliverError) {
        return say(
          doneComment({ summary, verification, message: "Quire finished without changing anything.", taskUrl: link }),
        );
      }
      if (error instanceof DeliveryError) return say(replies.failed(link, `the delivery failed: ${error.message}`));
      throw error;
    }
  }
}
