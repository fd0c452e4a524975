/** `GET /api/tasks/:id/file?path=`: a file of the task's repository at the task's base commit. */
import type { Hono } from "hono";
import { readFileAtCommit, treePathProblem } from "../../tasks/file-at-commit.js";
import { openSource } from "../../sources/open-source.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";
import { fileQuery, fileResponse } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok } from "../responses.js";
import { taskFor } from "../scoping.js";

export function fileRoutes(app: Hono, ctx: ApiContext): void {
  const file = {
    method: "get",
    path: "/api/tasks/{id}/file",
    summary: "A file of the task's repository at the task's base commit (for citations)",
    query: fileQuery,
    responses: {
      200: ok(
        "{ path, commit, size, binary, tooLarge, content }: content is empty when binary or too large (over 1 MiB).",
        fileResponse,
      ),
      400: error("The path is not a relative path inside the tree, or names a directory."),
      404: error("No such task, or no such file at that commit."),
      409: error("The task has no base commit yet, or its repository was removed."),
      ...denied,
    },
  } as const;
  declareRoute(app, file, async (c) => {
    const task = await taskFor(c, ctx.repos, "tasks:read");
    const { path } = parseOr400(fileQuery, c.req.query(), "query");
    const problem = treePathProblem(path);
    if (problem) throw new HttpError(400, `invalid query: path: ${problem}`, [{ path: "path", message: problem }]);
    const repository = await ctx.repos.repositories.get(task.repositoryId);
    if (!repository) throw new HttpError(409, `repository ${task.repositoryId} was removed: its files cannot be read`);
    if (!task.baseCommit) throw new HttpError(409, `task ${task.id} has no base commit yet: its files cannot be read`);
    const source = await openSource(ctx, repository, { commit: task.baseCommit });
    const file = await readFileAtCommit(source, task.baseCommit, path);
    if (file.kind === "missing") throw new HttpError(404, `${path} does not exist at ${task.baseCommit.slice(0, 12)}`);
    if (file.kind === "not-a-file") throw new HttpError(400, `${path} is a ${file.type}, not a file`);
    return c.json({
      path,
      commit: task.baseCommit,
      size: file.size,
      binary: file.binary,
      tooLarge: file.tooLarge,
      content: file.content,
    });
  });
}
