/** Request shapes, validated with zod; the OpenAPI document is generated from the same schemas. */
import { z } from "zod";
import { TASK_STATUSES } from "../storage/index.js";

const forgeSegment = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

/** A repository's forge project: `owner/name` on GitHub and Gitea, `group/…/name` (nested groups) on GitLab. */
export const forgeLinkBody = z
  .object({
    kind: z.enum(["github", "gitlab", "gitea"]),
    repo: z
      .string()
      .trim()
      .min(3)
      .max(1024)
      .describe('The project on the forge: "owner/name" (GitLab: "group/sub/name").'),
  })
  .strict()
  .superRefine((link, context) => {
    const parts = link.repo.split("/");
    const shape = link.kind === "gitlab" ? parts.length >= 2 : parts.length === 2;
    if (!shape || !parts.every((part) => forgeSegment.test(part) && part !== ".." && part !== ".")) {
      const expected = link.kind === "gitlab" ? '"group/name" or "group/sub/name"' : '"owner/name"';
      context.addIssue({ code: "custom", path: ["repo"], message: `must be ${expected}` });
    }
  });

export const createRepositoryBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    source: z.string().trim().min(1).max(4096).describe("A local path or a git URL."),
    defaultBranch: z.string().trim().min(1).max(255).optional(),
    forge: forgeLinkBody
      .optional()
      .describe("Its forge project; a URL on a configured forge host is linked without it."),
    autoReview: z.boolean().optional().describe("Review new and updated pull requests on its forge on their own."),
  })
  .strict();

export const renameRepositoryBody = z
  .object({ name: createRepositoryBody.shape.name.optional(), autoReview: z.boolean().optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.autoReview !== undefined, "give name or autoReview");

export const createTaskBody = z
  .object({
    repo: z.string().min(1).describe("The repository's id."),
    ref: z.string().trim().min(1).max(255).describe("The branch, tag or commit to start from."),
    mode: z.enum(["code", "ask"]),
    prompt: z.string().trim().min(1).max(100_000),
    attempts: z.number().int().min(1).max(4).default(1),
    environment: z.string().min(1).optional().describe("An environment id of the same repository."),
    model: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

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
    status: statuses.optional(),
    repo: z.string().min(1).optional(),
    mode: z.enum(["code", "ask"]).optional(),
    q: z.string().trim().min(1).max(200).optional().describe("Text the prompt contains (case-insensitive)."),
    delivered: flag.optional(),
    archived: flag.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    before: z.string().min(1).max(200).optional().describe("The `next` cursor of the previous page."),
  })
  .strict();

/** A seq to resume after: `Last-Event-ID` or `?after=`. */
export const eventCursor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const errorBody = z.object({
  error: z.object({
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const createEnvironmentBody = z
  .object({
    repo: z.string().min(1).describe("The repository's id."),
    name: z.string().trim().min(1).max(100),
    definition: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "The keys of .quire/environment.toml: setup, maintenance, variables, secrets (names), setup_network, network, limits, checks.",
      ),
  })
  .strict();

export const updateEnvironmentBody = z.object({ definition: z.record(z.string(), z.unknown()) }).strict();

export const secretBody = z.object({ value: z.string().min(1).max(65_536) }).strict();

export const followUpBody = z
  .object({
    text: z.string().trim().min(1).max(100_000),
    attemptId: z.string().min(1).optional().describe("The attempt to continue; the best-ranked one when absent."),
  })
  .strict();

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
  .strict();

export const fileQuery = z.object({ path: z.string().min(1) }).strict();

export const diffQuery = z
  .object({
    format: z.enum(["diff", "patch"]).default("diff"),
    attempt: z.string().min(1).optional(),
  })
  .strict();

/** Kept for the OpenAPI document: a follow-up message. */
export const messageBody = followUpBody;
