/**
 * The words Quire writes on a forge. None of them mentions Quire by its `@name`, so a reply can
 * never trigger another run; every text a task produced is cut to what a comment can hold.
 */
import type { Refusal } from "../plans/index.js";

/** GitHub's comment limit is 65,536 characters; GitLab's and Gitea's are larger. */
const MAX_COMMENT_CHARS = 60_000;

export function bounded(text: string, max = MAX_COMMENT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}\n\n… (cut: the whole text is in Quire)`;
}

/** A mention in a task's text must not reach the forge as a mention (of Quire or anyone). */
export function unmention(text: string): string {
  return text.replace(/(^|[^\w`])@([A-Za-z0-9])/g, "$1@\u200b$2");
}

export const replies = {
  started: (kind: string, url: string) => `Quire started ${kind}: ${url}\n\nI will comment here when it is done.`,
  followUp: (url: string) =>
    `Quire took this as a follow-up of its task (${url}); the result will be pushed to this pull request's branch.`,
  notAllowed: (login: string) =>
    `Sorry @${login}, Quire only takes requests from people with write access to this repository who are members of its Quire workspace. Nothing was started.`,
  notQuiresPullRequest: () =>
    "Quire only continues pull requests it opened itself. It can review this one: ask for a review instead.",
  reviewUnavailable: () => "Review mode is not available on this Quire server yet; nothing was started.",
  refused: (refusal: Refusal) => {
    const used = refusal.used !== null && refusal.max !== null ? ` (${refusal.used} of ${refusal.max} used)` : "";
    const reset = refusal.resetAt
      ? `It resets at ${refusal.resetAt}.`
      : refusal.limit === "concurrent_tasks"
        ? "A place frees up when one of the workspace's running tasks ends."
        : "Waiting will not help: the plan does not allow it.";
    return `Quire's plan for this workspace refused this: ${refusal.message}\n\nLimit: \`${refusal.limit}\`${used}. ${reset} Nothing was started.`;
  },
  failed: (taskUrl: string, reason: string) => `Quire's task did not finish: ${reason}\n\nDetails: ${taskUrl}`,
};

/** Images of a comment shown in a reply: as code (no mention, no link), on one line, short. */
function shownLink(link: string): string {
  const flat = link.replace(/[`\s]+/g, " ");
  return flat.length <= 120 ? flat : `${flat.slice(0, 119)}…`;
}

const SKIPPED_SHOWN = 10;

/** One line per image of the comment that the task was not given, and why; "" when none was skipped. */
export function skippedImagesNote(skipped: readonly { link: string; why: string }[]): string {
  if (skipped.length === 0) return "";
  const lines = skipped.slice(0, SKIPPED_SHOWN).map(({ link, why }) => `- \`${shownLink(link)}\`: ${unmention(why)}`);
  if (skipped.length > SKIPPED_SHOWN) lines.push(`- and ${skipped.length - SKIPPED_SHOWN} more`);
  return `\n\nImages of the comment not given to the task:\n${lines.join("\n")}`;
}

/** The task's final summary and verification, as the comment after a delivery. */
export function doneComment(input: {
  summary: string;
  verification: string | null;
  pullRequestUrl?: string;
  message: string;
  taskUrl: string;
}): string {
  const lines = [input.pullRequestUrl ? `Quire opened ${input.pullRequestUrl}` : input.message];
  lines.push("", "**Summary**", "", unmention(input.summary.trim() || "(no summary)"));
  lines.push("", `**Verification:** ${input.verification ?? "not run"}`);
  lines.push("", `Task: ${input.taskUrl}`);
  return bounded(lines.join("\n"));
}

const CITATION = /(`?)((?:[\w.-]+\/)*[\w.-]+\.[A-Za-z0-9]+):(\d+)(?:-(\d+))?\1/g;

/** `path:line` and `path:start-end` citations made links to those lines at the task's commit. */
export function linkCitations(text: string, link: (path: string, start: number, end?: number) => string): string {
  return text.replace(CITATION, (whole, _tick: string, path: string, start: string, end: string | undefined) => {
    if (path.startsWith("/") || path.split("/").includes("..")) return whole;
    const label = end ? `${path}:${start}-${end}` : `${path}:${start}`;
    return `[\`${label}\`](${link(path, Number(start), end ? Number(end) : undefined)})`;
  });
}

/** The task's page in the web app. */
export function taskUrl(base: string, taskId: string): string {
  return `${base.replace(/\/+$/, "")}/tasks/${encodeURIComponent(taskId)}`;
}
