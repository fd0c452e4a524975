import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../test/helpers/repo.js";
import { MULTI_USER } from "../testing/clients.js";
import { postJson, startTestApi, type TestApi } from "../testing/api.js";

/** The `route` label of every quire_http_requests_total sample, by method. */
function routeLabels(metrics: string): string[] {
  return [...metrics.matchAll(/^quire_http_requests_total\{method="(\w+)",route="([^"]*)",status="(\d+)"\}/gm)].map(
    ([, method, route, status]) => `${method} ${route} ${status}`,
  );
}

describe("request metrics with the web app served", () => {
  let api: TestApi;
  let webDir: string;
  beforeAll(async () => {
    webDir = await mkdtemp(path.join(os.tmpdir(), "quire-web-"));
    await mkdir(path.join(webDir, "assets"));
    await writeFile(path.join(webDir, "index.html"), "<!doctype html><title>Quire</title>");
    await writeFile(path.join(webDir, "assets", "app-1234.js"), "console.log('hi');");
    api = await startTestApi("sqlite", { staticDir: webDir });
  });
  afterAll(async () => {
    await api?.close();
    await rm(webDir, { recursive: true, force: true });
  });

  it("labels each request with the route that answered it, never its raw path", async () => {
    const created = await postJson(`${api.url}/api/repositories`, {
      name: "quire",
      source: makeRepo({ "README.md": "hi\n" }),
    });
    const { repository } = (await created.json()) as { repository: { id: string } };
    expect((await fetch(`${api.url}/api/repositories`)).status).toBe(200);
    expect((await fetch(`${api.url}/api/repositories/${repository.id}`)).status).toBeLessThan(500);
    expect((await fetch(`${api.url}/api/tasks/no-such-task`)).status).toBe(404);
    expect((await fetch(`${api.url}/api/tasks/another-missing-task/events`)).status).toBe(404);
    expect((await fetch(`${api.url}/api/no-such-route`)).status).toBe(404);
    expect(await (await fetch(`${api.url}/assets/app-1234.js`)).text()).toContain("console.log");
    expect(await (await fetch(`${api.url}/tasks/some-task-id`)).text()).toContain("<title>Quire</title>");
    expect(await (await fetch(`${api.url}/`)).text()).toContain("<title>Quire</title>");
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    const labels = routeLabels(await (await fetch(`${api.url}/metrics`)).text());
    expect(labels).toEqual(
      expect.arrayContaining([
        "POST /api/repositories 201",
        "GET /api/repositories 200",
        "GET /api/tasks/:id 404",
        "GET /api/tasks/:id/events 404",
        "GET unmatched 404",
        "GET /static 200",
        "GET /* 200",
        "GET /healthz 200",
      ]),
    );
    // Two static files and two SPA routes: one label each, not one per path.
    expect(labels.filter((label) => label.startsWith("GET /static "))).toHaveLength(1);
    expect(labels.filter((label) => label.startsWith("GET /* "))).toHaveLength(1);
    expect(labels.join("\n")).not.toMatch(/no-such|some-task-id|app-1234|another-missing/);
    const logged = api.logs
      .filter((line) => line.msg === "request")
      .map((line) => `${String(line.method)} ${String(line.route)}`);
    expect(logged).toContain("GET /api/tasks/:id");
    expect(logged).toContain("GET /static");
  });
});

describe("request metrics on a multi-user server", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi("sqlite", { auth: MULTI_USER });
  });
  afterAll(async () => api?.close());

  it("labels a request refused before its route ran with the route it was for", async () => {
    expect((await fetch(`${api.url}/api/tasks/some-task-id`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/nothing-here`)).status).toBe(401);
    const labels = routeLabels(await (await fetch(`${api.url}/metrics`)).text());
    expect(labels).toEqual(expect.arrayContaining(["GET /api/tasks/:id 401", "GET unmatched 401"]));
    expect(labels.join("\n")).not.toMatch(/some-task-id|nothing-here|\/api\/\*/);
  });
});
