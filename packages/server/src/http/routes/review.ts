/** Reviewing and shipping a task's result: its diff (or patch), and delivery as a branch + pull request. */
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Context, Hono } from "hono";
import {
  BranchExistsError,
  BranchMovedError,
  DeliveryError,
  DiffDoesNotApplyError,
  formatPatch,
} from "../../delivery/index.js";
import type { Task } from "../../storage/index.js";
import { openSource } from "../../sources/open-source.js";
import { audit, type Scope } from "../../accounts/index.js";
import type { ApiContext } from "../api-context.js";
import { taskFor } from "../scoping.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";
import { deliverBody, diffQuery } from "../schemas.js";
import { deliverTask, firstLine, NothingToDeliverError } from "../../delivery/deliver-task.js";
import { chosenAttempt } from "../task-view.js";
import { wholeDiffOf } from "../../tasks/diff-storage.js";
import { Readable } from "node:stream";

export function reviewRoutes(app: Hono, ctx: ApiContext): void {
  const { repos } = ctx;

  const taskOr404 = (c: Context, scope: Scope): Promise<Task> => taskFor(c, repos, scope);
  const finishedAttempt = async (task: Task, attemptId: string | undefined) => {
    const attempt = await chosenAttempt(repos, task, attemptId);
    if (!attempt) throw new HttpError(404, `task ${task.id} has no attempt ${attemptId ?? ""}`.trim());
    if (attempt.status !== "completed") {
      throw new HttpError(409, `attempt ${attempt.number} of task ${task.id} is ${attempt.status}: it has no diff yet`);
    }
    return attempt;
  };
  const scratch = () => mkdtemp(path.join(ctx.home, "delivery-"));
  const blobs = repos.blobs;

  app.get("/api/tasks/:id/diff", async (c) => {
    const task = await taskOr404(c, "tasks:read");
    const query = parseOr400(diffQuery, c.req.query(), "query");
    const attempt = await finishedAttempt(task, query.attempt);
    if (query.format === "diff" && attempt.diffBlob) {
      // A large diff is streamed from its blob: the server never holds it whole to answer.
      const { stream, bytes } = await blobs.open(attempt.diffBlob);
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        status: 200,
        headers: { "content-type": "text/x-diff; charset=utf-8", "content-length": String(bytes) },
      });
    }
    const diff = await wholeDiffOf(attempt, blobs);
    if (query.format === "diff") return c.body(diff, 200, { "content-type": "text/x-diff; charset=utf-8" });
    if (diff.trim() === "") throw new HttpError(409, `task ${task.id} changed nothing: there is no patch to format`);
    const repository = await repos.repositories.get(task.repositoryId);
    if (!repository || !task.baseCommit) throw new HttpError(409, `task ${task.id} has no repository or base commit`);
    const workDir = await scratch();
    try {
      const patch = await formatPatch({
        sourceRepo: await openSource(ctx, repository, { commit: task.baseCommit }),
        baseCommit: task.baseCommit,
        diff,
        message: commitMessage(task),
        author: ctx.delivery.author,
        workDir,
        date: new Date(attempt.finishedAt ?? task.updatedAt),
      });
      return c.body(patch, 200, { "content-type": "text/x-patch; charset=utf-8" });
    } catch (error) {
      if (error instanceof DiffDoesNotApplyError) throw new HttpError(409, error.message);
      throw error;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  app.post("/api/tasks/:id/deliver", async (c) => {
    const task = await taskOr404(c, "tasks:write");
    const body = parseOr400(deliverBody, await jsonBody(c), "delivery");
    const attempt = await finishedAttempt(task, body.attemptId);
    try {
      const delivery = await deliverTask(ctx, task, attempt, body);
      const result = delivery;
      await audit(c, "task.delivered", task.id, {
        branch: result.branch,
        commit: result.commit,
        remote: result.remote,
      });
      return c.json({ delivery });
    } catch (error) {
      if (error instanceof BranchMovedError) {
        // The issue on `branch` tells clients (the web app) that a new branch name is what is needed.
        const issue = { path: "branch", message: `"${error.branch}" was moved by someone else; name a new branch` };
        throw new HttpError(409, error.message, [issue]);
      }
      if (error instanceof BranchExistsError) {
        throw new HttpError(409, error.message, [{ path: "branch", message: `"${error.branch}" already exists` }]);
      }
      if (error instanceof NothingToDeliverError) throw new HttpError(409, error.message);
      if (error instanceof DeliveryError)
        throw new HttpError(error instanceof DiffDoesNotApplyError ? 409 : 502, error.message);
      throw error;
    }
  });
}

function commitMessage(task: Task): string {
  return `${firstLine(task.prompt)}\n\n${task.prompt.trim()}\n\nQuire task ${task.id}`;
}
