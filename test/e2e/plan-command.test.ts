/** `quire plan assign`: the operator's plan change takes effect on the server's limits and is audited. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { api, startServe, type ServeProcess } from "../helpers/server.js";

const running: ServeProcess[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

describe("quire plan assign", () => {
  it("assigns a plan with overrides, refuses unknown and unavailable ones, and the server enforces it", async () => {
    const home = tempHome();
    writeFileSync(path.join(home, "plans.toml"), 'default_plan = "pro"\n');
    const refusedPlan = await runQuire(["plan", "assign", "local", "edu"], { cwd: home, home });
    expect(refusedPlan.code).toBe(1);
    expect(refusedPlan.stderr).toMatch(/not available yet/);
    const unknown = await runQuire(["plan", "assign", "local", "platinum"], { cwd: home, home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no plan named platinum/);
    const assigned = await runQuire(["plan", "assign", "local", "team", "--overrides", '{"tasks_per_5h": 1}'], {
      cwd: home,
      home,
    });
    expect(assigned.stderr).toBe("");
    expect(assigned.code).toBe(0);
    expect(assigned.stdout).toMatch(/local is on the .* plan \(team\)/);

    const server = await startServe({ home, args: ["--workers", "0"] });
    running.push(server);
    const { body } = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      {
        name: "tiny",
        source: makeRepo(failingTestRepo),
      },
    );
    const task = { repo: body.repository.id, ref: body.repository.defaultBranch, mode: "ask", prompt: "p" };
    expect((await api(`${server.url}/api/tasks`, "POST", task)).status).toBe(201);
    const second = await api<{ error: { limit: string; max: number } }>(`${server.url}/api/tasks`, "POST", task);
    expect(second.status).toBe(429);
    expect(second.body.error).toMatchObject({ limit: "tasks_per_5h", max: 1 });
    const audit = await api<{ entries: { action: string; details: { to?: string } }[] }>(
      `${server.url}/api/audit`,
      "GET",
    );
    expect(audit.body.entries.find((entry) => entry.action === "plan.assigned")?.details.to).toBe("team");
  });
});
