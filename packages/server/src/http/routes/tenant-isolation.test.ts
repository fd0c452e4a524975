/**
 * Tenant isolation across every route that names a record: a member of workspace B gets 404 for
 * each of workspace A's tasks, repositories, environments, secrets, members and tokens (and the
 * list of routes checked is compared with the OpenAPI document, so a new route must be added
 * here), a viewer cannot write, a read-only token cannot create, and A's lists never show B's
 * records.
 */
import os from "node:os";
import { imageFromBytes } from "@quire/core";
import { ONE_PIXEL_PNG } from "@quire/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { hashPassword } from "../../accounts/passwords.js";
import { ADMIN, ApiClient, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID, type ApiToken } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const A = LOCAL_WORKSPACE_ID;

describe.each(TEST_DIALECTS)("tenant isolation of tasks, repositories and environments on %s", (dialect) => {
  let api: TestApi;
  let admin: ApiClient;
  let bob: ApiClient;
  let viewer: ApiClient;
  let repoId: string;
  let branch: string;
  let taskId: string;
  let imageId: string;
  let webhookId: string;
  let environmentId: string;
  let adminUserId: string;
  let adminTokenId: string;
  let invitationId: string;

  beforeAll(async () => {
    // The test repositories are made in the system's temporary directory: the operator allows it.
    api = await startTestApi(dialect, { auth: MULTI_USER, localSourceRoots: [os.tmpdir()] });
    const anonymous = new ApiClient(api.url);
    admin = await anonymous.signIn(ADMIN.email, ADMIN.password);
    const bobUser = await api.repos.users.create({
      email: "bob@example.com",
      passwordHash: await hashPassword("bob-password-1"),
    });
    await api.repos.workspaces.create({ name: "B", ownerUserId: bobUser.id });
    bob = await anonymous.signIn("bob@example.com", "bob-password-1");
    await admin.json(
      "POST",
      `/api/workspaces/${A}/members`,
      { email: "vera@example.com", role: "viewer", password: "vera-password-1" },
      201,
    );
    viewer = await anonymous.signIn("vera@example.com", "vera-password-1");
    invitationId = (
      await admin.json<{ invitation: { id: string } }>(
        "POST",
        `/api/workspaces/${A}/members`,
        { email: "ivy@example.com", role: "member" },
        201,
      )
    ).invitation.id;

    const { repository } = await admin.json<{ repository: { id: string; defaultBranch: string } }>(
      "POST",
      "/api/repositories",
      { name: "a", source: makeRepo({ "a.txt": "a\n" }) },
      201,
    );
    repoId = repository.id;
    branch = repository.defaultBranch;
    taskId = (
      await admin.json<{ task: { id: string } }>(
        "POST",
        "/api/tasks",
        { repo: repoId, ref: branch, mode: "ask", prompt: "p" },
        201,
      )
    ).task.id;
    environmentId = (
      await admin.json<{ environment: { id: string } }>(
        "POST",
        "/api/environments",
        { repo: repoId, name: "e", definition: {} },
        201,
      )
    ).environment.id;
    await admin.json("PUT", `/api/environments/${environmentId}/secrets/TOKEN`, { value: "workspace-a-secret" });
    // A kept command output of A's task, which its own members can read (checked below).
    const kept = await api.repos.blobs.put("the whole output of item_1\n");
    const attempt = (await api.repos.attempts.listForTask(taskId))[0]!;
    await api.repos.commandOutputs.put({
      taskId,
      attemptId: attempt.id,
      itemId: "item_1",
      blob: kept.ref,
      bytes: kept.bytes,
    });
    // An image of A's task (as a task created with one stores it).
    imageId = (await api.repos.taskImages.add(taskId, null, [imageFromBytes(ONE_PIXEL_PNG, "shot.png")]))[0]!.id!;
    webhookId = (
      await admin.json<{ webhook: { id: string } }>(
        "POST",
        "/api/webhooks",
        { url: "https://hooks.example.com/a" },
        201,
      )
    ).webhook.id;
    adminUserId = (await api.repos.users.getByEmail(ADMIN.email))!.id;
    adminTokenId = (
      await admin.json<{ token: ApiToken }>("POST", "/api/tokens", { name: "a-token", scopes: ["tasks:read"] }, 201)
    ).token.id;
  });
  afterAll(async () => api?.close());

  it("answers 404 to another workspace's member for every route of A's records", async () => {
    const routes: [string, string, unknown?][] = [
      ["GET", `/api/repositories/${repoId}`],
      ["GET", `/api/repositories/${repoId}/branches`],
      ["PATCH", `/api/repositories/${repoId}`, { name: "renamed by b" }],
      ["GET", `/api/environments?repo=${repoId}`],
      // List filters naming a record are checked like paths: 404, as for an id that does not exist.
      ["GET", `/api/tasks?repo=${repoId}`],
      ["GET", `/api/environments/${environmentId}`],
      ["PUT", `/api/environments/${environmentId}`, { definition: {} }],
      ["DELETE", `/api/environments/${environmentId}`],
      ["PUT", `/api/environments/${environmentId}/secrets/TOKEN`, { value: "overwritten" }],
      ["DELETE", `/api/environments/${environmentId}/secrets/TOKEN`],
      ["GET", `/api/tasks/${taskId}`],
      ["GET", `/api/tasks/${taskId}/attempts`],
      ["GET", `/api/tasks/${taskId}/events`],
      ["GET", `/api/tasks/${taskId}/diff`],
      ["GET", `/api/tasks/${taskId}/commands/item_1/output`],
      ["GET", `/api/tasks/${taskId}/file?path=a.txt`],
      ["GET", `/api/tasks/${taskId}/images/${imageId}`],
      ["POST", `/api/tasks/${taskId}/messages`, { text: "hi" }],
      ["POST", `/api/tasks/${taskId}/cancel`],
      ["POST", `/api/tasks/${taskId}/archive`],
      ["POST", `/api/tasks/${taskId}/unarchive`],
      ["POST", `/api/tasks/${taskId}/deliver`, {}],
      ["GET", `/api/workspaces/${A}/members`],
      ["POST", `/api/workspaces/${A}/members`, { email: "mallory@example.com", role: "owner" }],
      ["PATCH", `/api/workspaces/${A}/members/${adminUserId}`, { role: "viewer" }],
      ["DELETE", `/api/workspaces/${A}/members/${adminUserId}`],
      ["DELETE", `/api/tokens/${adminTokenId}`],
      ["POST", `/api/webhooks/${webhookId}/test`],
      ["DELETE", `/api/webhooks/${webhookId}`],
      ["DELETE", `/api/repositories/${repoId}`],
      ["GET", `/api/workspaces/${A}/invitations`],
      ["DELETE", `/api/workspaces/${A}/invitations/${invitationId}`],
    ];
    const ownOutput = await admin.request("GET", `/api/tasks/${taskId}/commands/item_1/output`);
    expect([ownOutput.status, await ownOutput.text()]).toEqual([200, "the whole output of item_1\n"]);
    for (const [method, path, body] of routes) {
      const response = await bob.request(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    // Every documented route with a record's id in its path is in the list above.
    const ids = new Map<string, string>([
      [repoId, "{id}"],
      [environmentId, "{id}"],
      [taskId, "{id}"],
      [A, "{id}"],
      [adminTokenId, "{id}"],
      [adminUserId, "{userId}"],
      [invitationId, "{invitationId}"],
      ["item_1", "{item}"],
      [imageId, "{imageId}"],
      [webhookId, "{id}"],
    ]);
    const checked = new Set(
      routes.map(([method, path]) => {
        const template = path
          .split("?")[0]!
          .split("/")
          .map((part) => ids.get(part) ?? (part === "TOKEN" ? "{name}" : part))
          .join("/");
        return `${method} ${template}`;
      }),
    );
    const document = await admin.json<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json");
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      path.includes("{") ? Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`) : [],
    );
    expect(documented.length).toBeGreaterThanOrEqual(20);
    expect(documented.filter((route) => !checked.has(route))).toEqual([]);
    // A filter naming A's record answers exactly as one naming nothing: its existence is not confirmed.
    for (const filter of ["/api/tasks?repo=", "/api/environments?repo="]) {
      const theirs = await bob.request("GET", `${filter}${repoId}`);
      const missing = await bob.request("GET", `${filter}${repoId.replace(/.$/, "0")}x`);
      expect([theirs.status, (await theirs.text()).replace(repoId, "ID")]).toEqual([
        missing.status,
        (await missing.text()).replace(`${repoId.replace(/.$/, "0")}x`, "ID"),
      ]);
    }
    // Creating in A's repository from B is refused too, and B's lists are empty.
    const create = await bob.request("POST", "/api/tasks", { repo: repoId, ref: branch, mode: "ask", prompt: "p" });
    expect(create.status).toBe(400);
    expect(await bob.json<{ tasks: unknown[] }>("GET", "/api/tasks")).toEqual({ tasks: [], next: null });
    expect(await bob.json<{ repositories: unknown[] }>("GET", "/api/repositories")).toEqual({ repositories: [] });
    // A's task named in a body (a review of its result, from B's own repository) is a missing one.
    const bobRepo = await bob.json<{ repository: { id: string } }>(
      "POST",
      "/api/repositories",
      { name: "b", source: makeRepo({ "b.txt": "b\n" }) },
      201,
    );
    const review = await bob.request("POST", "/api/tasks", {
      repo: bobRepo.repository.id,
      mode: "review",
      reviewOf: taskId,
    });
    expect(review.status).toBe(400);
    expect(((await review.json()) as { error: { message: string } }).error.message).toBe(
      `invalid task: reviewOf: no task ${taskId}`,
    );
    expect(await bob.json<{ tasks: unknown[] }>("GET", "/api/tasks")).toEqual({ tasks: [], next: null });
    // Nothing of A's changed.
    expect(await api.repos.environments.secretValues(environmentId)).toEqual({ TOKEN: "workspace-a-secret" });
    expect((await api.repos.tasks.get(taskId))?.status).toBe("queued");
    expect((await api.repos.repositories.get(repoId))?.name).toBe("a");
    const members = await admin.json<{ members: { email: string; role: string }[] }>(
      "GET",
      `/api/workspaces/${A}/members`,
    );
    expect(members.members.map((member) => member.email)).not.toContain("mallory@example.com");
    expect(members.members.find((member) => member.email === ADMIN.email)?.role).toBe("owner");
    const invitations = await admin.json<{ invitations: { id: string }[] }>("GET", `/api/workspaces/${A}/invitations`);
    expect(invitations.invitations.map((invitation) => invitation.id)).toEqual([invitationId]);
    const tokens = await admin.json<{ tokens: { id: string; revokedAt: string | null }[] }>("GET", "/api/tokens");
    expect(tokens.tokens.find((token) => token.id === adminTokenId)?.revokedAt ?? null).toBeNull();
  });

  it("keeps usage and the audit log within their workspace", async () => {
    const [attempt] = await api.repos.attempts.listForTask(taskId);
    await api.repos.usage.upsert({
      attemptId: attempt!.id,
      taskId,
      workspaceId: A,
      userId: "someone",
      model: "m",
      inputTokens: 1234,
      cachedInputTokens: 0,
      outputTokens: 5,
      reasoningOutputTokens: 0,
      modelCalls: 1,
      wallSeconds: 1,
      cpuSeconds: null,
      costUsd: 0.5,
    });
    const mine = await admin.json<{ totals: { inputTokens: number } }>("GET", "/api/usage?groupBy=task");
    expect(mine.totals.inputTokens).toBe(1234);
    const theirs = await bob.json<{ rows: unknown[]; totals: { inputTokens: number } }>(
      "GET",
      "/api/usage?groupBy=task",
    );
    expect(theirs.rows).toEqual([]);
    expect(theirs.totals.inputTokens).toBe(0);
    const csv = await (await bob.request("GET", "/api/usage.csv")).text();
    expect(csv).not.toContain(taskId);
    const audit = await bob.json<{ entries: { action: string; target: string | null }[] }>("GET", "/api/audit");
    expect(JSON.stringify(audit.entries)).not.toContain(taskId);
  });

  it("lets a viewer read but not write", async () => {
    expect((await viewer.request("GET", `/api/tasks/${taskId}`)).status).toBe(200);
    expect((await viewer.request("GET", "/api/tasks")).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/api/tasks", { repo: repoId, ref: branch, mode: "ask", prompt: "p" }],
      ["POST", `/api/tasks/${taskId}/messages`, { text: "hi" }],
      ["POST", `/api/tasks/${taskId}/cancel`],
      ["POST", "/api/repositories", { name: "x", source: makeRepo({ "x.txt": "x\n" }) }],
      ["PATCH", `/api/repositories/${repoId}`, { name: "renamed by a viewer" }],
      ["DELETE", `/api/repositories/${repoId}`],
      ["PUT", `/api/environments/${environmentId}/secrets/TOKEN`, { value: "overwritten" }],
    ] as [string, string, unknown?][]) {
      expect((await viewer.request(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it("keeps a token within its scopes, and records who did what", async () => {
    const { value } = await admin.json<{ token: ApiToken; value: string }>(
      "POST",
      "/api/tokens",
      { name: "ci", scopes: ["tasks:read"] },
      201,
    );
    const reader = new ApiClient(api.url, { token: value });
    expect((await reader.request("GET", `/api/tasks/${taskId}`)).status).toBe(200);
    expect(
      (await reader.request("POST", "/api/tasks", { repo: repoId, ref: branch, mode: "ask", prompt: "p" })).status,
    ).toBe(403);
    const { entries } = await admin.json<{ entries: { action: string; target: string | null; details: unknown }[] }>(
      "GET",
      "/api/audit",
    );
    const actions = entries.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(["repository.created", "task.created", "environment.created", "secret.set"]),
    );
    expect(JSON.stringify(entries)).not.toContain("workspace-a-secret");
  });
});
