/**
 * Ask tasks in the web app, in Chromium, against a real `quire serve` with the scripted model: an
 * answer written in GitHub-flavoured Markdown renders its table, task list and strikethrough; a
 * model reply that cannot be read is told once, in words.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { composeTask } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const gfmAnswer = [
  "Here is what each function does:",
  "",
  "| Function | Returns |",
  "| --- | --- |",
  "| `add` | a - b |",
  "",
  "- [x] read `src/add.js`",
  "- [ ] fix it",
  "",
  "The name ~~sum~~ is not used.",
].join("\n");

const gfmScript = (): ScriptedReply => ({ text: gfmAnswer });

// A reply the client cannot use (a 400 is not retried): the run fails on the model's error.
const UNREADABLE = "Unexpected token '}' in the model's reply at position 12";
const brokenScript = (): ScriptedReply => ({
  fault: {
    kind: "status",
    status: 400,
    body: JSON.stringify({ error: { message: UNREADABLE, type: "invalid_request_error" } }),
  },
});

let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ gfm: gfmScript, broken: brokenScript });
  await server.addRepository(makeRepo(failingTestRepo));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("an Ask task's answer", () => {
  it("renders GitHub-flavoured Markdown: a table, a task list, strikethrough", async () => {
    await composeTask(page, "What does add return? [script:gfm]");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    const message = page.locator(".task-log .agent-message").last();
    const table = message.locator(".markdown table");
    await table.waitFor();
    expect(await table.locator("th").allTextContents()).toEqual(["Function", "Returns"]);
    expect(await table.locator("tbody td").allTextContents()).toEqual(["add", "a - b"]);
    const boxes = message.locator('.markdown li input[type="checkbox"]');
    expect(await boxes.count()).toBe(2);
    expect(await boxes.nth(0).isChecked()).toBe(true);
    expect(await boxes.nth(1).isChecked()).toBe(false);
    expect(await message.locator(".markdown del").textContent()).toBe("sum");
    expect(await message.textContent()).not.toContain("| ---");
  }, 60_000);
});

describe("a model failure", () => {
  it("is told once in the timeline, in words, not once per event that carries it", async () => {
    await composeTask(page, "What does add return? [script:broken]");
    await page.locator('.round-end[data-end-status="failed"]').waitFor({ timeout: 30_000 });
    const log = page.locator(".task-log");
    const text = (await log.textContent()) ?? "";
    expect(text.split(UNREADABLE).length - 1).toBe(1);
    expect(await log.locator(".error-note").count()).toBe(1);
  }, 60_000);
});
