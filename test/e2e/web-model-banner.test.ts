/**
 * The web app on a server whose model has no API key: a banner says what to set (OpenAI,
 * Anthropic, or a local OpenAI-compatible server), and a task sent anyway is refused with the same
 * words, with nothing created. With a key there is no banner.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let browser: Browser;
const servers: WebServer[] = [];

beforeAll(async () => {
  await ensureWebAppBuilt();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
});

async function open(server: WebServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  // Opened once the app has asked for the model's status and been answered.
  const status = page.waitForResponse((response) => response.url().endsWith("/api/model-status"));
  await page.goto(server.url);
  await status;
  await page.getByLabel("Prompt").waitFor();
  return page;
}

it("shows what to set when the model has no key, and a task sent anyway is refused with that", async () => {
  // An empty variable is no key: the server's model is OpenAI's, and it cannot be called.
  const server = await startWebServer({}, { env: { OPENAI_API_KEY: "" } });
  servers.push(server);
  await server.addRepository(makeRepo(failingTestRepo));
  const page = await open(server);

  const banner = page.getByTestId("model-banner");
  await banner.waitFor();
  const text = await banner.innerText();
  expect(text).toContain("Tasks cannot run: the model has no API key");
  expect(text).toContain("set OPENAI_API_KEY");
  expect(text).toContain('set ANTHROPIC_API_KEY with provider = "anthropic"');
  expect(text).toContain("local OpenAI-compatible server such as Ollama");
  expect(text).toContain('provider = "openai-chat" with base_url');

  await page.getByLabel("Repository").locator("option", { hasText: "tiny" }).waitFor({ state: "attached" });
  await page.getByLabel("Prompt").fill("Fix the failing test");
  await page.getByLabel("Prompt").press("Control+Enter");
  await expect
    .poll(() => page.getByRole("alert").filter({ hasText: "No API key for the openai provider" }).count())
    .toBeGreaterThanOrEqual(2);
  const tasks = await server.api<{ tasks: unknown[] }>("/api/tasks", "GET");
  expect(tasks.body.tasks).toEqual([]);
  await page.close();
});

it("shows no banner when the model has its key", async () => {
  const server = await startWebServer({});
  servers.push(server);
  const page = await open(server);
  await page.getByRole("heading", { name: "Delegate a task" }).waitFor();
  expect(await page.getByTestId("model-banner").count()).toBe(0);
  await page.close();
});
