/**
 * A command that printed 1 MB in the web app, in Chromium, against a real `quire serve`: its block
 * shows the event's head and tail and offers "Download whole output", which gives all 1,000,000 bytes.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { composeTask } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const PRINT_1MB = 'for i in $(seq 1 1000); do printf "%0999d\\n" "$i"; done';
const printsALot = (turn: number): ScriptedReply =>
  turn === 0
    ? { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", PRINT_1MB] } }] }
    : { text: "Printed a million bytes." };

let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ big: printsALot });
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

it("offers the whole output of a cut command as a download", async () => {
  await composeTask(page, "Print a lot [script:big]");
  await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
  const block = page.locator(".task-log .command").first();
  // A block opened while the command ran stays open; a closed one is opened.
  const header = block.locator(".command-header");
  if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  const link = block.getByRole("link", { name: "Download whole output" });
  await link.waitFor();
  expect(await block.locator(".command-whole-output").textContent()).toContain("1000000 bytes in all");
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = await download.path();
  const { statSync, readFileSync } = await import("node:fs");
  expect(statSync(file).size).toBe(1_000_000);
  expect(readFileSync(file, "utf8").includes(`${String(500).padStart(999, "0")}\n`)).toBe(true);
}, 120_000);
