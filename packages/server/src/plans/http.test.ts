import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError } from "../errors.js";
import { errorResponse } from "../http/errors.js";
import { startServer, type RunningServer } from "../http/server.js";
import type { Refusal } from "./admission.js";
import { currentUserId, currentWorkspaceId, refusalResponse } from "./http.js";

const rateLimited: Refusal = {
  ok: false,
  limit: "tasks_per_5h",
  message: "the workspace started 10 of its 10 attempts allowed in 5 hours",
  used: 10,
  max: 10,
  resetAt: "2026-03-02T14:00:00.000Z",
  retryAfterSeconds: 3600,
};
const overPlan: Refusal = {
  ...rateLimited,
  limit: "models",
  used: null,
  max: null,
  resetAt: null,
  retryAfterSeconds: null,
};

describe("plans over HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = new Hono();
    app.use("/as/:workspace", async (c, next) => {
      // What an authentication middleware does; typed loosely, as plans/http.ts reads it.
      (c as unknown as { set(key: string, value: unknown): void }).set("principal", {
        workspaceId: c.req.param("workspace"),
        userId: "ann",
      });
      await next();
    });
    const who = (c: Parameters<typeof currentWorkspaceId>[0]) =>
      c.json({ workspaceId: currentWorkspaceId(c), userId: currentUserId(c) });
    app.use("/nowhere", async (c, next) => {
      (c as unknown as { set(key: string, value: unknown): void }).set("identity", { userId: "bob" });
      await next();
    });
    app.get("/as/:workspace", who);
    app.get("/nowhere", who);
    app.onError((error, c) =>
      error instanceof HttpError ? errorResponse(c, error) : c.json({ error: { message: "unexpected" } }, 500),
    );
    app.get("/anonymous", who);
    app.get("/limited", (c) => refusalResponse(c, rateLimited));
    app.get("/over-plan", (c) => refusalResponse(c, overPlan));
    server = await startServer({ app, port: 0 });
  });
  afterAll(async () => server?.close());

  it("turns a rate-limit refusal into 429 with Retry-After and the limit's numbers", async () => {
    const response = await fetch(`${server.url}/limited`);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3600");
    expect(await response.json()).toEqual({
      error: {
        message: rateLimited.message,
        limit: "tasks_per_5h",
        used: 10,
        max: 10,
        resetAt: "2026-03-02T14:00:00.000Z",
      },
    });
  });

  it("turns a refusal that waiting will not fix into 403 without Retry-After", async () => {
    const response = await fetch(`${server.url}/over-plan`);
    expect(response.status).toBe(403);
    expect(response.headers.get("retry-after")).toBeNull();
    expect(((await response.json()) as { error: { limit: string } }).error.limit).toBe("models");
  });

  it("takes the workspace and user from the principal, else the local ones", async () => {
    expect(await (await fetch(`${server.url}/as/team-7`)).json()).toEqual({ workspaceId: "team-7", userId: "ann" });
    expect(await (await fetch(`${server.url}/anonymous`)).json()).toEqual({ workspaceId: "local", userId: "local" });
    // Signed in but in no workspace: not the local workspace, which would be somebody else's.
    const nowhere = await fetch(`${server.url}/nowhere`);
    expect(nowhere.status).toBe(403);
  });
});
