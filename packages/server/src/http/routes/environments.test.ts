import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

interface EnvironmentJson {
  id: string;
  name: string;
  definition: Record<string, unknown>;
  secrets: { name: string; version: number }[];
}

describe.each(TEST_DIALECTS)("environments API on %s", (dialect) => {
  let api: TestApi;
  let repoId: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const response = await postJson(`${api.url}/api/repositories`, { name: "r", source: makeRepo({ "a.txt": "a\n" }) });
    repoId = ((await response.json()) as { repository: { id: string } }).repository.id;
  });
  afterAll(async () => api?.close());

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("creates, reads, updates and deletes; secrets are write-only", async () => {
    const created = await postJson(`${api.url}/api/environments`, {
      repo: repoId,
      name: "ci",
      definition: { setup: "npm ci", secrets: ["NPM_TOKEN"], checks: ["npm test"], network: { mode: "allowlist" } },
    });
    expect(created.status).toBe(201);
    const { environment } = (await created.json()) as { environment: EnvironmentJson };
    expect(environment).toMatchObject({
      name: "ci",
      definition: { setup: "npm ci", checks: ["npm test"] },
      secrets: [],
    });

    const secret = await send("PUT", `/api/environments/${environment.id}/secrets/NPM_TOKEN`, {
      value: "s3cr3t-value",
    });
    expect(secret.status).toBe(200);
    const secretText = await secret.text();
    expect(secretText).not.toContain("s3cr3t-value");
    expect(JSON.parse(secretText)).toMatchObject({ secret: { name: "NPM_TOKEN", version: 1 } });
    await send("PUT", `/api/environments/${environment.id}/secrets/NPM_TOKEN`, { value: "another-value" });

    const read = await fetch(`${api.url}/api/environments/${environment.id}`);
    const readText = await read.text();
    expect(readText).not.toContain("s3cr3t-value");
    expect(readText).not.toContain("another-value");
    expect((JSON.parse(readText) as { environment: EnvironmentJson }).environment.secrets).toMatchObject([
      { name: "NPM_TOKEN", version: 2 },
    ]);
    // The values are there for setup, just never shown.
    expect(await api.repos.environments.secretValues(environment.id)).toEqual({ NPM_TOKEN: "another-value" });

    const listed = await fetch(`${api.url}/api/environments?repo=${repoId}`);
    expect(((await listed.json()) as { environments: EnvironmentJson[] }).environments.map((e) => e.name)).toEqual([
      "ci",
    ]);

    const updated = await send("PUT", `/api/environments/${environment.id}`, { definition: { checks: ["make test"] } });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { environment: EnvironmentJson }).environment.definition).toEqual({
      checks: ["make test"],
    });

    expect((await send("DELETE", `/api/environments/${environment.id}/secrets/NPM_TOKEN`)).status).toBe(204);
    expect((await send("DELETE", `/api/environments/${environment.id}/secrets/NPM_TOKEN`)).status).toBe(404);
    expect((await send("DELETE", `/api/environments/${environment.id}`)).status).toBe(204);
    expect((await fetch(`${api.url}/api/environments/${environment.id}`)).status).toBe(404);
  });

  it("refuses bad definitions, duplicate names, unknown repositories and bad secret names, creating nothing", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ repo: repoId, name: "x", definition: { setup: 42 } }, 400, /setup/],
      [{ repo: repoId, name: "x", definition: { secrets: ["A=b"] } }, 400, /secrets/],
      [{ repo: repoId, name: "x", definition: { limits: { memory_mb: -1 } } }, 400, /limits/],
      [{ repo: repoId, name: "x", definition: { surprise: true } }, 400, /surprise|unrecognized/i],
      [{ repo: "nope", name: "x", definition: {} }, 400, /no repository nope/],
    ];
    for (const [body, status, message] of cases) {
      const response = await postJson(`${api.url}/api/environments`, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await api.repos.environments.listForRepository(repoId)).toEqual([]);

    const first = await postJson(`${api.url}/api/environments`, { repo: repoId, name: "dup", definition: {} });
    expect(first.status).toBe(201);
    const second = await postJson(`${api.url}/api/environments`, { repo: repoId, name: "dup", definition: {} });
    expect(second.status).toBe(409);
    const { environment } = (await first.json()) as { environment: EnvironmentJson };
    const badName = await send("PUT", `/api/environments/${environment.id}/secrets/not-a-name`, { value: "v" });
    expect(badName.status).toBe(400);
  });
});
