/** `GET /api/tasks/:id/file?path=`: a file of the task's repository at the task's base commit. */
import type { Hono } from "hono";
import { readFileAtCommit, treePathProblem } from "../../tasks/file-at-commit.js";
import { openSource } from "../../sources/open-source.js";
import type { ApiContext } from "../api-context.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";
import { fileQuery } from "../schemas.js";
import { taskFor } from "../scoping.js";

export function fileRoutes(app: Hono, ctx: ApiContext): void {
  app.get("/api/tasks/:id/file", async (c) => {
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
