/** Tasks, their attempts, follow-up messages, events, files and delivery (docs/server.md). */
import { z } from "zod";
import { IMAGE_LIMITS, TASK_MODES, TASK_STATUSES } from "../constants.js";
import { pullRequestSchema, quireEventSchema, taskUsageSchema, verificationStatusSchema } from "../events.js";
import { reviewResultSchema, reviewTargetSchema } from "../review.js";
import { timestamp } from "./common.js";

export const taskStatusSchema = z.enum(TASK_STATUSES);
export const taskModeSchema = z.enum(TASK_MODES);

export const diffStatsSchema = z
  .object({ files: z.number().int(), insertions: z.number().int(), deletions: z.number().int() })
  .meta({ id: "DiffStats" });

/** Where a task's diff went: the branch pushed and the pull request opened (or updated). */
export const deliverySchema = z
  .object({
    branch: z.string(),
    /** The branch's head as Quire last pushed it. */
    commit: z.string(),
    /** Every commit Quire pushed to the branch, oldest first (absent in records older than updates). */
    commits: z.array(z.string()).optional(),
    /** This delivery added a commit to the branch delivered before. */
    updated: z.boolean().optional(),
    /** The remote pushed to, without credentials. */
    remote: z.string(),
    pullRequest: pullRequestSchema.optional(),
    /** One sentence for the user: what was pushed where, and what was or was not opened. */
    message: z.string(),
    attemptId: z.string().optional(),
    deliveredAt: timestamp.optional(),
  })
  .meta({ id: "Delivery" });

/** A task as the API shows it: its record plus what its attempts say (best attempt, checks, size). */
export const taskSchema = z
  .object({
    id: z.string(),
    repositoryId: z.string(),
    ref: z.string(),
    baseCommit: z.string().nullable(),
    mode: taskModeSchema,
    prompt: z.string(),
    status: taskStatusSchema,
    attemptsRequested: z.number().int(),
    environmentId: z.string().nullable(),
    model: z.string().nullable(),
    archived: z.boolean(),
    finalMessage: z.string().nullable(),
    reason: z.string().nullable(),
    cancelRequestedAt: timestamp.nullable(),
    /** The last event's seq: how far a live stream of the task can be. */
    lastEventSeq: z.number().int(),
    delivery: deliverySchema.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    workspaceId: z.string().nullable(),
    createdBy: z.string().nullable(),
    bestAttemptId: z.string().nullable(),
    verification: verificationStatusSchema.nullable(),
    diffStats: diffStatsSchema.nullable(),
    /** Review mode: the best attempt's findings, once it finished with valid ones. */
    review: reviewResultSchema.nullable().optional(),
    /** Review mode: what the task reviews. */
    reviewTarget: reviewTargetSchema.nullable().optional(),
  })
  .meta({ id: "Task" });

export const attemptSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    /** 1 to 4. */
    number: z.number().int(),
    status: taskStatusSchema,
    workerId: z.string().nullable(),
    leaseExpiresAt: timestamp.nullable(),
    diff: z.string().nullable(),
    /** The diff was too large to inline: `diff` is its head; GET /api/tasks/{id}/diff serves it all. */
    diffTruncated: z.literal(true).optional(),
    /** With diffTruncated: the whole diff's size in bytes. */
    diffBytes: z.number().int().optional(),
    diffStats: diffStatsSchema.nullable(),
    finalMessage: z.string().nullable(),
    reason: z.string().nullable(),
    verification: verificationStatusSchema.nullable(),
    verificationLog: z.string().nullable(),
    usage: taskUsageSchema.nullable(),
    /** Review mode: this attempt's findings. */
    review: reviewResultSchema.nullable().optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: "Attempt" });

/** A follow-up prompt sent into a task after its first one. */
export const messageSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    /** The attempt it continues; null for every attempt. */
    attemptId: z.string().nullable(),
    text: z.string(),
    createdAt: timestamp,
    /** When a worker took it; null while it waits. */
    deliveredAt: timestamp.nullable(),
    authorId: z.string().nullable(),
  })
  .meta({ id: "TaskMessage" });

/** One message of `GET /api/tasks/{id}/events` (its SSE data): a stored event with its per-task seq. */
export const storedEventSchema = z
  .object({
    taskId: z.string(),
    attemptId: z.string().nullable(),
    seq: z.number().int(),
    event: quireEventSchema,
    createdAt: timestamp,
  })
  .meta({ id: "StoredEvent" });

/** Base64 characters of the largest image, with room for a `data:image/…;base64,` prefix. */
export const MAX_IMAGE_BASE64_CHARS = Math.ceil(IMAGE_LIMITS.maxBytes / 3) * 4 + 64;

/** Images sent with a prompt or a follow-up: base64 in JSON, each checked by its bytes on the server. */
export const imagesField = z
  .array(
    z
      .object({
        data: z
          .string()
          .min(1)
          .max(MAX_IMAGE_BASE64_CHARS)
          .describe("The image's bytes as base64 (a `data:` URL is accepted): PNG, JPEG, WebP or GIF."),
      })
      .strict(),
  )
  .max(IMAGE_LIMITS.maxCount)
  .optional()
  .describe(`At most ${IMAGE_LIMITS.maxCount} images of at most ${IMAGE_LIMITS.maxBytes} bytes each.`);

/** The images of a body, as sent: `[{ data }]`. */
export type ImageUploads = NonNullable<z.input<typeof imagesField>>;

export const createTaskBody = z
  .object({
    repo: z.string().min(1).describe("The repository's id."),
    ref: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe("The branch, tag or commit to start from (a review with `base`: the head). Not taken with `reviewOf`."),
    mode: taskModeSchema,
    prompt: z
      .string()
      .trim()
      .min(1)
      .max(100_000)
      .optional()
      .describe("Required for code and ask; for a review, what to pay attention to (optional)."),
    attempts: z.number().int().min(1).max(4).default(1),
    environment: z.string().min(1).optional().describe("An environment id of the same repository."),
    model: z.string().trim().min(1).max(200).optional(),
    images: imagesField,
    base: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe("Review mode: the branch, tag or commit `ref` is reviewed against (the change is base...ref)."),
    reviewOf: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "Review mode: the id of a task of the same repository whose result (its best attempt's diff) is reviewed.",
      ),
  })
  .strict()
  .superRefine((body, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (body.mode !== "review") {
      if (body.prompt === undefined) issue("prompt", "required");
      if (body.base !== undefined) issue("base", "only a review task takes a base");
      if (body.reviewOf !== undefined) issue("reviewOf", "only a review task takes reviewOf");
    } else if ((body.base === undefined) === (body.reviewOf === undefined)) {
      issue("base", "a review takes either base (with ref as the head) or reviewOf");
    }
    if (body.reviewOf === undefined && body.ref === undefined) issue("ref", "required");
    if (body.reviewOf !== undefined && body.ref !== undefined)
      issue("ref", "not taken with reviewOf (the reviewed task's is used)");
  })
  .meta({ id: "CreateTask" });

const flag = z.enum(["true", "false"]).transform((value) => value === "true");

/** One status, or several separated by commas (`queued,preparing,running`). */
const statuses = z.string().transform((text, context) => {
  const parts = text.split(",");
  const unknown = parts.filter((part) => !(TASK_STATUSES as readonly string[]).includes(part));
  if (unknown.length === 0) return parts as (typeof TASK_STATUSES)[number][];
  context.addIssue({
    code: "custom",
    message: `unknown status ${unknown.map((part) => JSON.stringify(part)).join(", ")}; one of ${TASK_STATUSES.join(", ")}`,
  });
  return z.NEVER;
});

export const listTasksQuery = z
  .object({
    status: statuses.optional().describe(`One status or several, comma-separated: ${TASK_STATUSES.join(", ")}.`),
    repo: z.string().min(1).optional(),
    mode: taskModeSchema.optional(),
    q: z.string().trim().min(1).max(200).optional().describe("Text the prompt contains (case-insensitive)."),
    delivered: flag.optional().describe("false: only tasks whose diff was not delivered yet."),
    archived: flag.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional().describe("100 when absent."),
    before: z.string().min(1).max(200).optional().describe("The `next` cursor of the previous page."),
  })
  .strict();

/** A seq to resume after: `Last-Event-ID` or `?after=`. */
export const eventCursor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const eventsQuery = z.object({ after: eventCursor.optional() });
export const eventsHeaders = z.object({ "Last-Event-ID": eventCursor.optional() });

export const followUpBody = z
  .object({
    text: z.string().trim().min(1).max(100_000),
    attemptId: z.string().min(1).optional().describe("The attempt to continue; the best-ranked one when absent."),
    images: imagesField,
  })
  .strict()
  .meta({ id: "Message" });

export const deliverBody = z
  .object({
    attemptId: z
      .string()
      .min(1)
      .optional()
      .describe("The attempt whose diff to deliver; the best-ranked one when absent."),
    branch: z
      .string()
      .trim()
      .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, "must be a plain branch name")
      .max(200)
      .optional()
      .describe(
        "The branch to push; default: the branch of the task's previous delivery (updated), else quire/<task>.",
      ),
    title: z.string().trim().min(1).max(300).optional(),
    body: z.string().max(65_536).optional(),
  })
  .strict()
  .meta({ id: "Deliver" });

export const fileQuery = z.object({ path: z.string().min(1) }).strict();

export const diffQuery = z
  .object({
    format: z.enum(["diff", "patch"]).default("diff"),
    attempt: z.string().min(1).optional(),
  })
  .strict();

/** A page of a large diff: one byte range (`bytes=0-1048575`, `bytes=1048576-`, `bytes=-4096`). */
export const diffHeaders = z.object({
  Range: z
    .string()
    .optional()
    .describe("One byte range of the diff (format=diff only): the answer is 206 with Content-Range."),
});

export const commandOutputQuery = z
  .object({
    attempt: z.string().min(1).optional(),
    /** `1` asks the browser to save it as a file. */
    download: z.enum(["0", "1"]).optional(),
  })
  .strict();

export const taskResponse = z.object({ task: taskSchema });
export const taskPageResponse = z.object({
  tasks: z.array(taskSchema),
  /** The cursor of the following page; null on the last. */
  next: z.string().nullable(),
});
export const createdTaskResponse = z.object({ task: taskSchema, attempts: z.array(attemptSchema) });
export const attemptsResponse = z.object({ attempts: z.array(attemptSchema) });
export const followUpResponse = z.object({ message: messageSchema, task: taskSchema });
export const deliveryResponse = z.object({ delivery: deliverySchema });
export const fileResponse = z.object({
  path: z.string(),
  commit: z.string(),
  size: z.number().int(),
  binary: z.boolean(),
  /** Over 1 MiB: content is empty. */
  tooLarge: z.boolean(),
  /** Empty when binary or too large. */
  content: z.string(),
});

export type Task = z.infer<typeof taskSchema>;
export type Attempt = z.infer<typeof attemptSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type DiffStats = z.infer<typeof diffStatsSchema>;
export type Message = z.infer<typeof messageSchema>;
export type StoredEvent = z.infer<typeof storedEventSchema>;
export type NewTask = z.input<typeof createTaskBody>;
export type TaskPage = z.infer<typeof taskPageResponse>;
export type CitedFile = z.infer<typeof fileResponse>;
/** `GET /api/tasks`'s query as the server reads it (statuses split, flags as booleans). */
export type TaskListQuery = z.output<typeof listTasksQuery>;
