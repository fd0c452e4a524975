/**
 * Starting a task or a follow-up for a forge comment through the task service, as POST /api/tasks
 * and POST /api/tasks/{id}/messages do for a person: the plan's admission first (a refusal is
 * returned, not thrown, so it can be told on the forge), then the task and its audit entry.
 */
import type { ImageInput, TaskMode } from "@quire/core";
import { createTaskBody } from "@quire/protocol";
import { appendAudit } from "../accounts/audit.js";
import type { ApiContext } from "../http/api-context.js";
import { admit, plansConfigSource, resolvePlan, type Refusal } from "../plans/index.js";
import type { AdmissionKind, Repository, ReviewTarget, Task } from "../storage/index.js";
import { chosenAttempt } from "../http/task-view.js";
import { createTask, followUp } from "../tasks/service.js";

/** Who a forge comment acts as: a Quire user in the repository's workspace. */
export interface ForgeActor {
  userId: string;
  workspaceId: string;
  /** The forge and login, for the audit log. */
  forge: string;
  login: string;
}

/**
 * Review mode arrives from its own branch (issue 14, item 4): until the task API accepts
 * `mode: "review"`, `@quire review` and automatic reviews answer that it is not available here.
 */
export const reviewModeAvailable: boolean = taskApiAcceptsMode("review");

/**
 * Whether POST /api/tasks's body takes the mode: from the mode enum's options while the body is an
 * object (refinements keep its shape), else by parsing a probe and looking for an issue on `mode`.
 */
function taskApiAcceptsMode(mode: string): boolean {
  const options = (createTaskBody as { shape?: { mode?: { options?: unknown } } }).shape?.mode?.options;
  if (Array.isArray(options) && options.every((option) => typeof option === "string")) return options.includes(mode);
  const probe = createTaskBody.safeParse({ repo: "probe", ref: "main", mode, prompt: "probe" });
  return probe.success || !probe.error.issues.some((issue) => issue.path[0] === "mode");
}

export type ForgeTaskMode = "code" | "ask" | "review";

async function admitFor(
  ctx: ApiContext,
  actor: ForgeActor,
  request: { kind: AdmissionKind; taskId?: string; model: string | null },
): Promise<{ admissionId: string } | Refusal | null> {
  if (!ctx.admission.enforced) return null;
  const config = await plansConfigSource(ctx.admission.home).get();
  const plan = await resolvePlan(ctx.repos, config, actor.workspaceId);
  const result = await admit(ctx.repos, {
    ...request,
    attempts: 1,
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    plan,
  });
  return result.ok ? { admissionId: result.admissionId } : result;
}

const isRefusal = (value: unknown): value is Refusal =>
  typeof value === "object" && value !== null && (value as Refusal).ok === false;

export async function startForgeTask(
  ctx: ApiContext,
  actor: ForgeActor,
  /**
   * `base`: a review's target branch; the pull request's change is base...ref. `reviewOf`: a review
   * of a task's result instead (a pull request Quire opened: its head lives with the task).
   */
  input: {
    repository: Repository;
    mode: ForgeTaskMode;
    prompt: string;
    ref: string;
    base?: string;
    reviewOf?: { baseCommit: string; target: ReviewTarget };
    /** Images of the comment, already checked (comment-images.ts). */
    images?: readonly ImageInput[];
  },
): Promise<{ task: Task } | { refusal: Refusal }> {
  if (input.mode === "review" && !reviewModeAvailable) throw new Error("review mode is not available on this server");
  const admitted = await admitFor(ctx, actor, { kind: "task", model: null });
  if (isRefusal(admitted)) return { refusal: admitted };
  const created = await createTask(
    ctx,
    input.repository,
    {
      ref: input.ref,
      // A mode the type does not know yet ("review") is only passed when the API accepts it (above).
      mode: input.mode as TaskMode,
      prompt: input.prompt,
      ...(input.reviewOf ? { reviewTarget: input.reviewOf.target } : {}),
      attempts: 1,
      workspaceId: actor.workspaceId,
      createdBy: actor.userId,
    },
    admitted?.admissionId ?? null,
    input.mode !== "review"
      ? {}
      : input.reviewOf
        ? { baseCommit: input.reviewOf.baseCommit }
        : input.base !== undefined
          ? { reviewBase: input.base }
          : {},
    input.images ?? [],
  );
  await appendAudit(ctx.repos, {
    workspaceId: actor.workspaceId,
    actorUserId: actor.userId,
    actorTokenId: null,
    action: "task.created",
    target: created.task.id,
    details: {
      mode: input.mode,
      attempts: 1,
      repositoryId: input.repository.id,
      via: actor.forge,
      login: actor.login,
      ...(input.images?.length ? { images: input.images.length } : {}),
    },
  });
  return { task: created.task };
}

/** A follow-up on a task Quire delivered, asked on its pull request. */
export async function followUpFromForge(
  ctx: ApiContext,
  actor: ForgeActor,
  task: Task,
  text: string,
  images: readonly ImageInput[] = [],
): Promise<{ ok: true } | { refusal: Refusal }> {
  const attempt = await chosenAttempt(ctx.repos, task, undefined);
  if (!attempt) throw new Error(`task ${task.id} has no attempt to continue`);
  const admitted = await admitFor(ctx, actor, { kind: "follow_up", taskId: task.id, model: task.model });
  if (isRefusal(admitted)) return { refusal: admitted };
  const message = await followUp(ctx, task, attempt, { text, authorId: actor.userId }, images);
  await appendAudit(ctx.repos, {
    workspaceId: actor.workspaceId,
    actorUserId: actor.userId,
    actorTokenId: null,
    action: "task.follow_up",
    target: task.id,
    details: {
      attemptId: attempt.id,
      messageId: message.id,
      via: actor.forge,
      login: actor.login,
      ...(images.length > 0 ? { images: images.length } : {}),
    },
  });
  return { ok: true };
}
