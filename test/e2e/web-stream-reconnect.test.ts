/**
 * The task view's event stream survives dropped connections: it resumes with Last-Event-ID
 * and shows every event exactly once, whether the drop cuts a replay short (page.route) or
 * hits a live task (a proxy that drops every connection).
 */
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { api, readTaskEvents } from "../helpers/server.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startDroppingProxy } from "../helpers/web-proxy.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";
import { slowScript } from "../helpers/web-scripts.js";

let server: WebServer;
let browser: Browser;
let repository: { id: string; defaultBranch: string };

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ slow: slowScript });
  repository = await server.addRepository(makeRepo(failingTestRepo));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function createTask(): Promise<string> {
  const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
    repo: repository.id,
    ref: repository.defaultBranch,
    mode: "code",
    prompt: "Run three steps [script:slow]",
  });
  expect(created.status).toBe(201);
  return created.body.task.id;
}

async function openPage(): Promise<{ context: BrowserContext; page: Page; streams: Request[] }> {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const streams: Request[] = [];
  page.on("request", (request) => {
    if (/\/api\/tasks\/[^/]+\/events/.test(request.url())) streams.push(request);
  });
  return { context, page, streams };
}

/**
 * The timeline as one line per entry (its key, kind and text, a command by its header only, as
 * whether a block is open depends on whether it was seen running): equal lists mean nothing
 * is missing or repeated.
 */
async function timelineOf(page: Page): Promise<string[]> {
  await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
  return page.locator(".task-log .timeline-entry").evaluateAll((entries) =>
    entries.map((entry) => {
      const shown = entry.querySelector(".command-header") ?? entry;
      const text = (shown.textContent ?? "").replace(/[▸▾]/g, "").replace(/\d+(\.\d+)? m?s/g, "");
      return `${entry.getAttribute("data-key")} ${entry.getAttribute("data-kind")}: ${text}`;
    }),
  );
}

async function referenceTimeline(taskId: string): Promise<string[]> {
  const { context, page } = await openPage();
  await page.goto(`${server.url}/tasks/${taskId}`);
  const entries = await timelineOf(page);
  await context.close();
  return entries;
}

describe("the task view's live stream", () => {
  it("resumes after the connection is cut mid-replay and then refused, without duplicates", async () => {
    const taskId = await createTask();
    const all = await readTaskEvents(server.url, taskId);
    const cutAfter = Math.floor(all.length / 2);

    const { context, page, streams } = await openPage();
    let attempt = 0;
    await page.route("**/api/tasks/*/events*", async (route) => {
      attempt += 1;
      if (attempt === 1) {
        // The first connection delivers half the history, then breaks off inside the next message.
        const body = await (await route.fetch()).text();
        const messages = body.split("\n\n");
        const cut = messages.slice(0, cutAfter).join("\n\n") + "\n\n" + (messages[cutAfter] ?? "").slice(0, 20);
        await route.fulfill({ status: 200, headers: { "content-type": "text/event-stream" }, body: cut });
        return;
      }
      if (attempt === 2) return route.abort("connectionreset");
      return route.continue();
    });
    await page.goto(`${server.url}/tasks/${taskId}`);
    const entries = await timelineOf(page);

    expect(streams.length).toBeGreaterThanOrEqual(3);
    expect(streams[0]?.headers()["last-event-id"]).toBeUndefined();
    expect(streams[1]?.headers()["last-event-id"]).toBe(String(cutAfter));
    expect(streams[2]?.headers()["last-event-id"]).toBe(String(cutAfter));
    expect(await page.locator(".task-log .command").count()).toBe(3);
    expect(entries).toEqual(await referenceTimeline(taskId));
    await context.close();
  }, 60_000);

  it("reconnects a live task's stream after the server's connections drop, missing nothing", async () => {
    const proxy = await startDroppingProxy(server.url);
    try {
      const taskId = await createTask();
      const { context, page, streams } = await openPage();
      await page.goto(`${proxy.url}/tasks/${taskId}`);
      await page.locator(".task-log .command", { hasText: "echo step 1" }).waitFor({ timeout: 30_000 });
      expect(await page.locator('.round-end[data-end-status="completed"]').count()).toBe(0);

      expect(proxy.dropAll()).toBeGreaterThan(0);
      const entries = await timelineOf(page);

      const resumedFrom = streams.slice(1).map((request) => Number(request.headers()["last-event-id"]));
      expect(resumedFrom.length).toBeGreaterThanOrEqual(1);
      expect(resumedFrom[0]).toBeGreaterThan(0);
      expect(await page.locator(".task-log .command").count()).toBe(3);
      expect(entries).toEqual(await referenceTimeline(taskId));
      await context.close();
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it("says so when the task does not exist, and stops asking for its stream", async () => {
    const { context, page, streams } = await openPage();
    await page.goto(`${server.url}/tasks/no-such-task`);
    await page.locator(".error-text", { hasText: "no task no-such-task" }).waitFor();
    await page.waitForTimeout(1500);
    expect(streams).toHaveLength(1);
    await context.close();
  });
});
