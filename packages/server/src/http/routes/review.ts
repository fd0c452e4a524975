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
import { deliverBody, deliveryResponse, diffHeaders, diffQuery } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok, text } from "../responses.js";
import { deliverTask, firstLine, NothingToDeliverError } from "../../delivery/deliver-task.js";
import { chosenAttempt } from "../task-view.js";
import { wholeDiffOf } from "../../tasks/diff-storage.js";
import { Readable } from "node:stream";
import { byteRangeOf, rangeHeaders } from "../byte-range.js";

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

  const diffRoute = {
    method: "get",
    path: "/api/tasks/{id}/diff",
    summary: "The diff of the best-ranked (or the given) attempt; ?format=patch gives git format-patch output",
    query: diffQuery,
    headers: diffHeaders,
    responses: {
      200: {
        ...text("A unified diff, or a patch with ?format=patch.", ["text/x-diff", "text/x-patch"]),
        headers: {
          "accept-ranges": { description: "`bytes` for a diff: it can be read in pages.", schema: { type: "string" } },
        },
      },
      206: {
        ...text("The byte range the Range header asked for: a page of a large diff.", "text/x-diff"),
        headers: { "content-range": { description: "`bytes first-last/size`.", schema: { type: "string" } } },
      },
      400: error("Invalid query."),
      404: error("No such task or attempt."),
      409: error("No completed attempt yet, or nothing changed."),
      416: {
        ...error("The range starts past the diff's end."),
        headers: { "content-range": { description: "`bytes */size`.", schema: { type: "string" } } },
      },
      ...denied,
    },
  } as const;
  declareRoute(app, diffRoute, async (c) => {
    const task = await taskOr404(c, "tasks:read");
    const query = parseOr400(diffQuery, c.req.query(), "query");
    const attempt = await finishedAttempt(task, query.attempt);
    const diffType = { "content-type": "text/x-diff; charset=utf-8" };
    if (query.format === "diff" && attempt.diffBlob) {
      // A large diff is streamed from its blob (a page of it with Range): the server never holds it whole.
      const size = await blobs.size(attempt.diffBlob);
      const range = byteRangeOf(c.req.header("range"), size);
      if (range === "unsatisfiable") return c.json(unsatisfiable(size), 416, rangeHeaders(range, size));
      const { stream } = await blobs.open(attempt.diffBlob, range ?? { start: 0, end: size - 1 });
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        status: range ? 206 : 200,
        headers: range
          ? { ...diffType, ...rangeHeaders(range, size) }
          : { ...diffType, "content-length": String(size), "accept-ranges": "bytes" },
      });
    }
    const diff = await wholeDiffOf(attempt, blobs);
    if (query.format === "diff") {
      const bytes = Buffer.from(diff, "utf8");
      const range = byteRangeOf(c.req.header("range"), bytes.length);
      if (range === "unsatisfiable") return c.json(unsatisfiable(bytes.length), 416, rangeHeaders(range, bytes.length));
      if (range)
        return c.body(bytes.subarray(range.start, range.end + 1), 206, {
          ...diffType,
          ...rangeHeaders(range, bytes.length),
        });
      return c.body(diff, 200, { ...diffType, "accept-ranges": "bytes" });
    }
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

  const deliverRoute = {
    method: "post",
    path: "/api/tasks/{id}/deliver",
    summary:
      "Push the diff as a commit on a new branch, and open a pull / merge request when a token is configured; " +
      "on a task delivered before, push a new commit on top of its branch and comment on its pull request",
    body: deliverBody,
    responses: {
      200: ok("{ delivery: { branch, commit, commits, updated, remote, pullRequest?, message } }", deliveryResponse),
      400: error("Invalid body."),
      404: error("No such task or attempt."),
      409: error(
        "Nothing to deliver, the diff no longer applies, a new branch named in the body already exists elsewhere, or someone else moved the branch delivered before.",
      ),
      502: error("The push or the forge failed (the message says which)."),
      ...denied,
    },
  } as const;
  declareRoute(app, deliverRoute, async (c) => {
    const task = await taskOr404(c, "tasks:write");
    const body = parseOr400(deliverBody, await jsonBody(c), "delivery");
    // A review's diff is the change it read, someone else's work: it is never pushed as its own.
    if (task.mode === "review") throw new HttpError(409, `task ${task.id} is a review: it has nothing to deliver`);
    const attempt = await finishedAttempt(task, body.attemptId);
    try {
      const delivery = await deliverTask(ctx, task, attempt, body);
      await audit(c, "task.delivered", task.id, {
        branch: delivery.branch,
        commit: delivery.commit,
        remote: delivery.remote,
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

const unsatisfiable = (size: number) => ({
  error: { message: `the range starts past the end of the diff (${size} bytes)` },
});
