/**
 * A command's whole output: the event stream keeps its head and tail (`output_truncated`), the
 * whole (up to the environment's `limits.output_bytes`) is a blob in the database, streamed from there.
 */
import { Readable } from "node:stream";
import type { Hono } from "hono";
import { BlobNotFoundError } from "../../storage/index.js";
import type { ApiContext } from "../api-context.js";
import { commandOutputQuery } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, text } from "../responses.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";
import { taskFor } from "../scoping.js";

const outputQuery = commandOutputQuery;

const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function commandOutputRoutes(app: Hono, ctx: ApiContext): void {
  const blobs = ctx.repos.blobs;

  const output = {
    method: "get",
    path: "/api/tasks/{id}/commands/{item}/output",
    summary:
      "The whole output of a command whose event kept only head and tail (output_truncated), up to the environment's limits.output_bytes",
    query: commandOutputQuery,
    responses: {
      200: text("The command's output as text (an attachment with ?download=1).", "text/plain"),
      400: error("Not a command item id, or an invalid query."),
      404: error("No such task, or no kept output for that command (its event holds it whole)."),
      ...denied,
    },
  } as const;
  declareRoute(app, output, async (c) => {
    const task = await taskFor(c, ctx.repos, "tasks:read");
    const query = parseOr400(outputQuery, c.req.query(), "query");
    const itemId = c.req.param("item");
    if (!ITEM_ID.test(itemId)) throw new HttpError(400, "not a command item id");
    const kept = await ctx.repos.commandOutputs.get(task.id, itemId, query.attempt);
    const missing = `task ${task.id} has no kept output for command ${itemId}: its event holds the whole output`;
    if (!kept) throw new HttpError(404, missing);
    try {
      const { stream, bytes } = await blobs.open(kept.blob);
      const headers: Record<string, string> = {
        "content-type": "text/plain; charset=utf-8",
        "content-length": String(bytes),
      };
      if (query.download === "1") headers["content-disposition"] = `attachment; filename="${task.id}-${itemId}.txt"`;
      return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
    } catch (error) {
      if (error instanceof BlobNotFoundError) throw new HttpError(404, missing);
      throw error;
    }
  });
}
