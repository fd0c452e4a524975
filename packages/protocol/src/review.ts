/**
 * What a review ends with: findings at lines of the change and an overall verdict (the shape of
 * Codex's review output, named as Quire's API names it). Review mode validates the model's reply
 * against this schema; forges post it as a pull-request review; the web app shows it beside the diff.
 */
import { z } from "zod";

export const reviewFindingSchema = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().max(8000),
    /** 0 is the most urgent (a bug that must be fixed), 3 a nit. */
    priority: z.number().int().min(0).max(3),
    confidence: z.number().min(0).max(1),
    /** Relative to the repository's root. */
    path: z.string().min(1).max(4096),
    start_line: z.number().int().min(1),
    end_line: z.number().int().min(1),
  })
  .meta({ id: "ReviewFinding" });

export const reviewResultSchema = z
  .object({
    findings: z.array(reviewFindingSchema).max(100),
    overall: z.object({
      verdict: z.enum(["correct", "needs changes"]),
      explanation: z.string().max(8000),
    }),
  })
  .meta({ id: "ReviewResult" });

export type ReviewFinding = z.infer<typeof reviewFindingSchema>;
export type ReviewResult = z.infer<typeof reviewResultSchema>;

/** What a review task reads: base...head of the repository, or another task's result. */
export const reviewTargetSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("range"), base: z.string(), head: z.string() }),
    z.object({ kind: z.literal("task"), taskId: z.string(), attemptId: z.string() }),
  ])
  .meta({ id: "ReviewTarget" });

export type ReviewTarget = z.infer<typeof reviewTargetSchema>;
