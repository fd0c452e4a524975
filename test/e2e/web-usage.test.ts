/**
 * Plans and usage in the web app, against a real multi-user `quire serve` with a plans.toml: a
 * task's cost as the server metered it, in its header; the usage page's live meter rising as a
 * task starts, the usage table and its CSV; and a plan's refusal shown where the task or the
 * follow-up was asked, in a workspace picked with the switcher.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { ADMIN, composeTask, plansToml, pricedAnswer, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let repositoryId: string;
let firstTaskId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer(
    { priced: pricedAnswer },
    { auth: { mode: "multi", admin: ADMIN }, plans: plansToml(50) },
  );
  repositoryId = (await server.addRepository(makeRepo(failingTestRepo))).id;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);
  await signInOnPage(page, ADMIN);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const meter = (limit: string) => page.locator(`.meter-row[data-limit="${limit}"]`);
const meterCount = (limit: string) => meter(limit).getByTestId("meter-count").textContent();

describe("cost and usage", () => {
  it("shows a task's cost as the server metered and priced it, in the task's header", async () => {
    firstTaskId = await composeTask(page, "[script:priced] What does add do?");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    // The web app has no price for "scripted-model": this number can only come from the server.
    const cost = page.getByTestId("task-cost");
    await expect.poll(() => cost.textContent(), { timeout: 10_000 }).toBe("$2.00");
    expect(await cost.getAttribute("data-cost-source")).toBe("server");
  }, 60_000);

  it("meters each limit of the plan live: used rises when a task starts, and says when it frees up", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Usage" }).click();
    await page.waitForURL("**/usage");
    await page.getByRole("heading", { name: "Web test plan" }).waitFor();
    await expect.poll(() => meterCount("tasks_per_5h")).toBe("1 / 50 attempts");
    expect(await meterCount("tasks_per_week")).toBe("1 / 500 attempts");
    expect(await meterCount("sandbox_minutes_per_week")).toMatch(/minutes · unlimited$/);
    const bar = meter("tasks_per_5h").getByRole("meter", { name: "Tasks in 5 hours" });
    expect(await bar.getAttribute("aria-valuenow")).toBe("1");
    expect(await bar.getAttribute("aria-valuemax")).toBe("50");
    // Relative and absolute: the one attempt leaves the rolling window 5 hours after it started.
    const reset = meter("tasks_per_5h").getByTestId("meter-reset");
    expect(await reset.textContent()).toMatch(/^Next frees up in (4 h 5\d min|5 h), .+\.$/);
    expect(await reset.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);

    // A task started elsewhere (another client of the API) shows on the open page by itself.
    const started = await server.api("/api/tasks", "POST", {
      repo: repositoryId,
      ref: "main",
      mode: "ask",
      prompt: "[script:priced] And subtract?",
      attempts: 1,
    });
    expect(started.status).toBe(201);
    await expect.poll(() => meterCount("tasks_per_5h"), { timeout: 10_000 }).toBe("2 / 50 attempts");
    await expect.poll(() => bar.getAttribute("aria-valuenow")).toBe("2");
  }, 60_000);

  it("lists usage per task and per model over a period, with totals, and downloads it as CSV", async () => {
    const row = page.locator(`.usage-table tbody tr[data-key="${firstTaskId}"]`);
    await expect
      .poll(() => row.locator("th a").textContent(), { timeout: 15_000 })
      .toBe("[script:priced] What does add do?");
    expect(await row.getByTestId("usage-cost").textContent()).toBe("$2.00");
    await page.getByLabel("Group by").selectOption("model");
    const model = page.locator('.usage-table tbody tr[data-key="scripted-model"]');
    await expect.poll(() => model.getByTestId("usage-cost").textContent(), { timeout: 15_000 }).toMatch(/^\$[24]\.00$/);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^group_by,key,from,to,attempts,/);
    expect(csv).toContain("\r\nmodel,scripted-model,");

    // A period with nothing in it.
    await page.getByLabel("First day").fill("2020-01-01");
    await page.getByLabel("Last day").fill("2020-01-31");
    await page.getByText("Nothing was metered in this period.").waitFor();
  }, 60_000);
});

describe("refusals", () => {
  it("shows the plan's refusal in the composer and the follow-up box: the limit, used / max, when to retry", async () => {
    // A fresh workspace, picked in the switcher, whose plan allows one attempt in 5 hours.
    const created = await server.api<{ workspace: { id: string } }>("/api/workspaces", "POST", { name: "Limited" });
    expect(created.status).toBe(201);
    const limited = created.body.workspace.id;
    await server.addRepository(makeRepo(failingTestRepo), "limited-repo", limited);
    server.writePlans(plansToml(1));

    await page.reload();
    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Limited (owner)" });
    await page.waitForURL(`${server.url}/`);
    await expect
      .poll(() => page.getByLabel("Repository").locator("option").allTextContents())
      .toEqual(["limited-repo"]);
    expect(await page.locator(".task-row").count()).toBe(0);

    const taskId = await composeTask(page, "[script:priced] The one task this plan allows");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    // It was created in the workspace the switcher picked (x-quire-workspace), and only there.
    expect((await server.api(`/api/tasks/${taskId}`, "GET", undefined, { "x-quire-workspace": limited })).status).toBe(
      200,
    );
    expect((await server.api(`/api/tasks/${taskId}`, "GET")).status).toBe(404);

    await page.getByLabel("Prompt").fill("[script:priced] One too many");
    await page.getByRole("button", { name: "Ask", exact: true }).click();
    const refusal = page.locator('.composer .refusal[data-limit="tasks_per_5h"]');
    await refusal.waitFor();
    expect(await refusal.locator(".refusal-title strong").textContent()).toBe("Plan limit reached: tasks in 5 hours");
    expect(await refusal.getByTestId("refusal-count").textContent()).toBe("1 / 1 attempts used");
    expect(await refusal.getByTestId("refusal-wait").textContent()).toMatch(
      /^Try again in (4 h 5\d min|5 h) \(.+\)\.$/,
    );
    // Nothing was created: the same task is open and the list has one row.
    expect(page.url()).toContain(taskId);
    expect(await page.locator(".task-row").count()).toBe(1);
    expect(await page.getByLabel("Prompt").inputValue()).toBe("[script:priced] One too many");

    await page.getByLabel("Follow-up message").fill("[script:priced] And once more");
    await page.getByRole("button", { name: "Send" }).click();
    const followUpRefusal = page.locator('.follow-up .refusal[data-limit="tasks_per_5h"]');
    await followUpRefusal.waitFor();
    expect(await followUpRefusal.getByTestId("refusal-count").textContent()).toBe("1 / 1 attempts used");

    // Back to the first workspace (over its limit now too, had the plan stayed at 1).
    server.writePlans(plansToml(50));
    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Default (owner)" });
    await page.locator(".task-row", { hasText: "What does add do?" }).waitFor();
  }, 90_000);
});
