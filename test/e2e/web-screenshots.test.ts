/**
 * The README's screenshots of the web app, taken in Chromium against a real `quire serve` with
 * the scripted model. It writes docs/screenshots/*.png, so it runs only when asked:
 *
 *   QUIRE_SCREENSHOTS=1 npx vitest run test/e2e/web-screenshots
 */
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../helpers/repo.js";
import { api } from "../helpers/server.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import {
  pickScreenshotScript,
  screenshotPlans,
  screenshotPrompts,
  screenshotRepo,
  screenshotScripts,
} from "../helpers/web-screenshot-fixtures.js";
import { fontsReady } from "../helpers/web-probes.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const outDir = path.resolve(import.meta.dirname, "../../docs/screenshots");
const MAX_BYTES = 300 * 1024;

let server: WebServer;
let browser: Browser;
let page: Page;
let repositoryId: string;

async function shoot(name: string): Promise<void> {
  const file = path.join(outDir, `${name}.png`);
  // Let fonts and the last paint settle.
  await fontsReady(page);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: file });
  expect(statSync(file).size).toBeLessThan(MAX_BYTES);
}

async function compose(prompt: string, attempts = 1, mode: "Ask" | "Code" = "Code"): Promise<string> {
  await page.getByLabel("Number of attempts").selectOption(String(attempts));
  await page.getByLabel("Prompt").fill(prompt);
  const before = page.url();
  await page.getByRole("button", { name: mode, exact: true }).click();
  await page.waitForURL((url) => url.href !== before && /\/tasks\/[^/]+$/.test(url.pathname));
  const taskId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  await page.locator(`.task-view[data-task-id="${taskId}"]`).waitFor();
  return taskId;
}

describe.runIf(process.env.QUIRE_SCREENSHOTS)("screenshots of the web app", () => {
  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    await ensureWebAppBuilt();
    server = await startWebServer(screenshotScripts, { pick: pickScreenshotScript, plans: screenshotPlans });
    repositoryId = (await server.addRepository(makeRepo(screenshotRepo), "calc")).id;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: "light" });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(server.url);
    await page.getByLabel("Branch").locator("option", { hasText: "main" }).waitFor({ state: "attached" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the review of a finished task with three attempts", async () => {
    await compose(screenshotPrompts.ask, 1, "Ask");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
    await compose(screenshotPrompts.review, 3);
    await page.getByRole("tab", { name: /Best/ }).waitFor({ timeout: 60_000 });
    // The header and the tabs follow the task row, re-read a moment after the ranking.
    await page.locator(".task-header .badge", { hasText: "Verified" }).waitFor();
    await expect.poll(() => page.locator(".attempt-tabs .muted").count()).toBe(0);
    await page.locator(".diff2html .d2h-file-wrapper").first().waitFor();
    // Unified by default: the review's pane is too narrow at 1440 px for two columns of code.
    expect(await page.getByRole("button", { name: "Unified" }).getAttribute("aria-pressed")).toBe("true");
    // The cost the server metered joins the header a moment after the task ends.
    await page.getByTestId("task-cost").waitFor();
    await page
      .locator("#main")
      .evaluate((main) => (main as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await shoot("task-review");
  }, 120_000);

  it("a task while it runs, and the task list meanwhile", async () => {
    const taskId = await compose(screenshotPrompts.running);
    await page.locator(".task-log .output-line", { hasText: "suite 4/6" }).waitFor({ timeout: 60_000 });
    await shoot("task-running");

    await page.getByRole("link", { name: "Quire" }).click();
    await page.locator(".task-row").nth(2).waitFor();
    await page.getByLabel("Prompt").fill("Add a divide() helper that throws on division by zero, with tests");
    await shoot("task-list");
    expect((await api(`${server.url}/api/tasks/${taskId}/cancel`, "POST")).status).toBe(200);
  }, 120_000);

  it("the environments page", async () => {
    const created = await api<{ environment: { id: string } }>(`${server.url}/api/environments`, "POST", {
      repo: repositoryId,
      name: "node-20",
      definition: {
        setup: "# Runs once per snapshot, with the network and the secrets.\nnpm ci --no-audit\nnpm run build\n",
        maintenance: "npm ci --prefer-offline\n",
        variables: { NODE_ENV: "test", TZ: "UTC" },
        secrets: ["NPM_TOKEN"],
        network: { mode: "allowlist", preset: true, domains: ["registry.example.com"], methods: "safe" },
        limits: { memory_mb: 2048, command_timeout_ms: 300000 },
        checks: ["npm test"],
        mcp_servers: { docs: { command: "node", args: ["tools/docs-mcp.js"] } },
      },
    });
    expect(created.status).toBe(201);
    const environmentId = created.body.environment.id;
    await api(`${server.url}/api/environments/${environmentId}/secrets/NPM_TOKEN`, "PUT", { value: "npm_example" });
    await api(`${server.url}/api/environments`, "POST", { repo: repositoryId, name: "offline", definition: {} });
    await page.getByRole("link", { name: "Environments" }).click();
    await page.getByRole("heading", { name: "node-20" }).waitFor();
    // Tall enough to show every section of the editor.
    await page.setViewportSize({ width: 1440, height: 1900 });
    await page.getByRole("group", { name: "MCP servers" }).waitFor();
    await shoot("environments");
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 60_000);

  it("the usage page", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Usage" }).click();
    await page.locator('.meter-row[data-limit="tasks_per_5h"] .meter-bar').waitFor();
    // Every task of the earlier shots has been metered and priced.
    await expect.poll(() => page.locator(".usage-table tbody tr").count(), { timeout: 15_000 }).toBe(3);
    await shoot("usage");
  }, 60_000);

  it("the dark theme", async () => {
    await page.locator(".task-row", { hasText: screenshotPrompts.review }).click();
    await page.locator(".diff2html .d2h-file-wrapper").first().waitFor();
    await page.getByRole("button", { name: "Dark theme" }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: "attached" });
    await shoot("dark");
  }, 60_000);
});
