/**
 * The event stream shared by `quire exec --json`, the server's SSE, storage and the web app: Codex's
 * stream (codex-events.ts) with Quire's additions, each marked "Quire:" below. The additions are
 * new optional fields, two new item kinds (user_message, review) and new event types (task.*); nothing of
 * Codex's shape changes, so a consumer written for Codex reads Quire's stream.
 */
import { z } from "zod";
import {
  agentMessageItem,
  codexCommandExecutionItem,
  commandStatusSchema,
  codexFileChangeItem,
  codexUsageSchema,
  errorItem,
  mcpToolCallItem,
  reasoningItem,
  streamErrorEvent,
  threadStartedEvent,
  todoListItem,
  turnFailedEvent,
  turnStartedEvent,
  webSearchItem,
} from "./codex-events.js";
import { FORGE_KINDS, IMAGE_MEDIA_TYPES, VERIFICATION_STATUSES } from "./constants.js";
import { reviewResultSchema } from "./review.js";

/** An image sent with a round: its kind and size, and a server's stored image id; never its bytes. */
export const imageRefSchema = z.object({
  id: z.string().optional().describe("GET /api/tasks/{id}/images/{imageId} serves it."),
  media_type: z.enum(IMAGE_MEDIA_TYPES),
  bytes: z.number().int(),
});

/**
 * Quire: the person's words that open a round (the prompt, then each follow-up), so the record
 * holds both sides of the conversation. `author`: who sent it, when a server knows; `images`: what
 * was attached.
 */
export const userMessageItem = z.object({
  id: z.string(),
  type: z.literal("user_message"),
  text: z.string(),
  author: z.string().optional(),
  images: z.array(imageRefSchema).optional(),
});

export const commandExecutionItem = codexCommandExecutionItem.extend({
  /** Quire: wall time of the command in milliseconds, once it has ended. */
  duration_ms: z.number().optional(),
  /**
   * Quire: set when `aggregated_output` keeps only the head and tail of what the command printed;
   * the whole output (up to the environment's `limits.output_bytes`) is kept with the task
   * (`quire exec`: the task's `outputs/` directory; the server: GET
   * /api/tasks/{id}/commands/{item}/output).
   */
  output_truncated: z.literal(true).optional(),
  /** Quire: bytes the command printed in all, when `output_truncated`. */
  output_bytes: z.number().optional(),
});

export const fileChangeItem = codexFileChangeItem.extend({
  /** Quire: why the patch was refused, when status is "failed". */
  error: z.string().optional(),
});

/**
 * Quire: a review task's findings and verdict, validated, after the `agent_message` that carried
 * them (review mode; the fields are ReviewResult's).
 */
export const reviewItem = z.object({ id: z.string(), type: z.literal("review") }).extend(reviewResultSchema.shape);

export const threadItemSchema = z.discriminatedUnion("type", [
  userMessageItem,
  agentMessageItem,
  reasoningItem,
  commandExecutionItem,
  fileChangeItem,
  mcpToolCallItem,
  webSearchItem,
  todoListItem,
  reviewItem,
  errorItem,
]);

export const verificationStatusSchema = z.enum(VERIFICATION_STATUSES);

/** Quire: Codex's turn usage plus the reasoning tokens Quire also counts. */
export const turnUsageSchema = codexUsageSchema.extend({ reasoning_output_tokens: z.number() });

/** Quire: a task's usage: the sums, the model calls made (one per turn, plus compactions), each call. */
export const taskUsageSchema = turnUsageSchema.extend({
  model_calls: z.number(),
  per_call: z.array(turnUsageSchema.extend({ kind: z.enum(["turn", "compaction"]) })),
});

/** How a task (or attempt) ended; "interrupted" only from a server (the worker died). */
export const endStatusSchema = z.enum(["completed", "failed", "cancelled"]);

/** Quire: the last event of a task's (or an attempt's) stream. */
export const taskCompletedEvent = z.object({
  type: z.literal("task.completed"),
  task_id: z.string(),
  status: z.enum([...endStatusSchema.options, "interrupted"]),
  final_message: z.string().nullable(),
  diff: z.string(),
  /** Server: `diff` is the head of a larger diff (see diff_bytes); GET /api/tasks/{id}/diff has it all. */
  diff_truncated: z.literal(true).optional(),
  /** Server, with diff_truncated: the whole diff's size in bytes. */
  diff_bytes: z.number().optional(),
  usage: taskUsageSchema,
  /** Why the task stopped when it did not complete (budget, cancel, model error). */
  reason: z.string().optional(),
  /** Server: the attempt this event ends; absent on the task's own final event. */
  attempt_id: z.string().optional(),
  /** Server: the checks re-run on the diff in a fresh sandbox. */
  verification: z.object({ status: verificationStatusSchema, log: z.string() }).optional(),
  /** Server, task's own final event: attempt ids ranked best first (verified, then smaller diff). */
  ranking: z.array(z.string()).optional(),
});

export const pullRequestSchema = z.object({
  url: z.string(),
  number: z.number().int(),
  kind: z.enum(FORGE_KINDS),
});

/** Quire, server: the task's diff was pushed as a branch (and a pull request opened). */
export const taskDeliveredEvent = z.object({
  type: z.literal("task.delivered"),
  task_id: z.string(),
  attempt_id: z.string(),
  branch: z.string(),
  commit: z.string(),
  remote: z.string(),
  pull_request: pullRequestSchema.optional(),
  message: z.string(),
});

export const quireEventSchema = z.discriminatedUnion("type", [
  threadStartedEvent,
  turnStartedEvent,
  z.object({ type: z.literal("item.started"), item: threadItemSchema }),
  z.object({ type: z.literal("item.updated"), item: threadItemSchema }),
  z.object({ type: z.literal("item.completed"), item: threadItemSchema }),
  z.object({ type: z.literal("turn.completed"), usage: turnUsageSchema }),
  turnFailedEvent,
  streamErrorEvent,
  taskCompletedEvent,
  taskDeliveredEvent,
]);

export type ImageRef = z.infer<typeof imageRefSchema>;
export type ThreadItem = z.infer<typeof threadItemSchema>;
export type CommandStatus = z.infer<typeof commandStatusSchema>;
export type QuireEvent = z.infer<typeof quireEventSchema>;
export type TurnUsage = z.infer<typeof turnUsageSchema>;
export type TaskUsage = z.infer<typeof taskUsageSchema>;
export type EndStatus = z.infer<typeof endStatusSchema>;
