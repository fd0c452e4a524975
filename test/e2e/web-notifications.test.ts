/**
 * Browser notifications (issue 15, item 4): "Notify me" on a running task, and one notification
 * when it finishes. Chromium against a real `quire serve`; the page's Notification is recorded.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let browser: Browser;
let page: Page;

/** Records each notification shown, as `{title, body}`, in `window.__notified`. */
const RECORD_NOTIFICATIONS = `
  window.__notified = [];
  class RecordedNotification {
    static permission = "default";
    static async requestPermission() { RecordedNotification.permission = "granted"; return "granted"; }
    constructor(title, options) { window.__notified.push({ title, body: options && options.body }); }
  }
  window.Notification = RecordedNotification;
`;

beforeAll(async () => {
  await ensureWebAppBuilt();
  // The first reply waits, so the task is still running when "Notify me" is clicked.
  server = await startWebServer({ slow: () => ({ text: "Done looking.", delayMs: 4_000 }) });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(RECORD_NOTIFICATIONS);
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it("notifies once when a watched task finishes", async () => {
  const repository = await server.addRepository(makeRepo({ "README.md": "# tiny\n" }));
  const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo: repository.id,
    ref: repository.defaultBranch,
    mode: "ask",
    prompt: "Look around [script:slow]\nmore words",
  });
  expect(created.status).toBe(201);
  await page.goto(`${server.url}/tasks/${encodeURIComponent(created.body.task.id)}`);
  await page.getByRole("button", { name: "Notify me when it finishes" }).click();
  await page.getByRole("button", { name: "Notifying when it finishes" }).waitFor();
  await page.locator('.round-end[data-end-status="completed"]').first().waitFor({ timeout: 60_000 });
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { __notified: unknown[] }).__notified), {
      timeout: 10_000,
    })
    .toEqual([{ title: "Quire: task completed", body: "Look around [script:slow]" }]);
  // Once: a reload sees the task finished, but the watch is gone.
  await page.reload();
  await page.locator('.round-end[data-end-status="completed"]').first().waitFor();
  expect(await page.evaluate(() => (globalThis as unknown as { __notified: unknown[] }).__notified)).toEqual([]);
});
