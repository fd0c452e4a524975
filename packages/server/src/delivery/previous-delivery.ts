/**
 * Reading a task's stored delivery record back as the previous delivery a new one builds on.
 * Records written before updates existed have no `commits`: their one commit is what Quire pushed.
 */
import { z } from "zod";
import type { PreviousDelivery } from "./deliver.js";

const storedDelivery = z.object({
  branch: z.string().min(1),
  commit: z.string().min(1),
  commits: z.array(z.string().min(1)).optional(),
  deliveredAt: z.string().optional(),
  pullRequest: z
    .object({ url: z.string(), number: z.number().int(), kind: z.enum(["github", "gitlab", "gitea"]) })
    .optional(),
});

export interface StoredDelivery extends PreviousDelivery {
  deliveredAt?: string;
}

/** The previous delivery in a task's record, or undefined when it has none (or one this code cannot read). */
export function previousDeliveryOf(record: Record<string, unknown> | null): StoredDelivery | undefined {
  const parsed = storedDelivery.safeParse(record);
  if (!parsed.success) return undefined;
  const { branch, commit, commits, deliveredAt, pullRequest } = parsed.data;
  return { branch, commits: commits ?? [commit], deliveredAt, ...(pullRequest ? { pullRequest } : {}) };
}

/** The follow-ups taken after the previous delivery: what the new round(s) asked for, as a list. */
export function changesSince(
  followUps: readonly { text: string; deliveredAt: string | null }[],
  since: string | undefined,
): string {
  const after = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
  const asked = followUps
    .filter((message) => message.deliveredAt !== null && Date.parse(message.deliveredAt) > after)
    .map((message) => message.text.trim())
    .filter(Boolean);
  if (asked.length === 0) return "";
  return ["Asked since the last delivery:", ...asked.map((text) => `- ${text.split("\n").join("\n  ")}`)].join("\n");
}
