/**
 * What a webhook says about a task, in the two formats a workspace may pick: Quire's JSON (every
 * fact, for programs) and a Slack-compatible message (`{text}`, for an incoming webhook).
 */
import {
  type Attempt,
  LOCAL_WORKSPACE_ID,
  type Task,
  type WebhookEvent,
  type WebhookFormat,
} from "../storage/index.js";

/** The facts of one notice, gathered by whoever saw the task finish or be delivered. */
export interface TaskNotice {
  taskId: string;
  workspaceId: string;
  status: string;
  mode: string;
  /** The prompt's first line, cut to 200 characters. */
  title: string;
  repository: { id: string; name: string | null };
  verification: string | null;
  diffStats: { files: number; insertions: number; deletions: number } | null;
  reason: string | null;
  /** The task's page in the web app (filled in by the notifier, which knows the server's address). */
  url: string;
  delivery?: { branch: string; commit: string; pullRequest: string | null };
}

export function noticeBody(event: WebhookEvent, notice: TaskNotice, format: WebhookFormat, deliveryId: string): string {
  if (format === "slack") return JSON.stringify({ text: slackText(event, notice) });
  const { workspaceId: _workspace, taskId, diffStats, delivery, ...rest } = notice;
  return JSON.stringify({
    event,
    delivery_id: deliveryId,
    sent_at: new Date().toISOString(),
    task: {
      id: taskId,
      ...rest,
      diff_stats: diffStats,
      ...(delivery
        ? { delivery: { branch: delivery.branch, commit: delivery.commit, pull_request: delivery.pullRequest } }
        : {}),
    },
  });
}

/** A test post's body ("Send test"): says it is one, names the webhook, carries no task. */
export function testNoticeBody(format: WebhookFormat, deliveryId: string, webhookId: string): string {
  if (format === "slack") return JSON.stringify({ text: "Quire test message: this webhook works." });
  return JSON.stringify({
    event: "webhook.test",
    delivery_id: deliveryId,
    sent_at: new Date().toISOString(),
    webhook: { id: webhookId },
  });
}

/** Slack's mrkdwn: `<url|text>` links; &, < and > escaped in the text around them. */
const escapeSlack = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function slackText(event: WebhookEvent, notice: TaskNotice): string {
  const link = `<${notice.url}|${escapeSlack(notice.title)}>`;
  const where = notice.repository.name ? ` in ${escapeSlack(notice.repository.name)}` : "";
  if (event === "task.delivered" && notice.delivery) {
    const pr = notice.delivery.pullRequest ? ` (<${notice.delivery.pullRequest}|pull request>)` : "";
    return `Quire delivered ${link}${where} to branch \`${escapeSlack(notice.delivery.branch)}\`${pr}`;
  }
  const parts = [`Quire task ${link}${where}: *${notice.status}*`];
  if (notice.verification) parts.push(`verification ${notice.verification}`);
  if (notice.diffStats) {
    const { files, insertions, deletions } = notice.diffStats;
    parts.push(`${files} file${files === 1 ? "" : "s"} +${insertions} −${deletions}`);
  }
  if (notice.reason && notice.status !== "completed") parts.push(escapeSlack(notice.reason.slice(0, 300)));
  return parts.join(" · ");
}

const firstLine = (text: string): string =>
  (text.split("\n").find((line) => line.trim() !== "") ?? "").trim().slice(0, 200);

/** A task's notice from its row and its best-ranked attempt. */
export function taskNotice(
  task: Task,
  best: Attempt | undefined,
  status: string,
  repositoryName: string | null,
): Omit<TaskNotice, "url"> {
  return {
    taskId: task.id,
    workspaceId: task.workspaceId ?? LOCAL_WORKSPACE_ID,
    status,
    mode: task.mode,
    title: firstLine(task.prompt),
    repository: { id: task.repositoryId, name: repositoryName },
    verification: best?.verification && best.verification !== "skipped" ? best.verification : null,
    diffStats: best?.diffStats ?? null,
    reason: status === "completed" ? null : (best?.reason ?? null),
  };
}
