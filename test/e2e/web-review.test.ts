/**
 * Review mode in the web app, in Chromium, against a real `quire serve` with the scripted model:
 * a finished Code task's "Review" button starts a review of its result; the review task shows its
 * findings and verdict beside the change it read, and a finding scrolls the diff to its lines.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { composeTask } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const fixReplies: ScriptedReply[] = [
  { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
  { text: "Fixed `add` in src/add.js:2." },
];

const review = {
  findings: [
    {
      title: "The test file is not updated",
      body: "test.js still checks only one sum.",
      priority: 3,
      confidence: 0.5,
      path: "test.js",
      start_line: 2,
      end_line: 2,
    },
    {
      title: "add still breaks on strings",
      body: "`add('1', 2)` concatenates.",
      priority: 1,
      confidence: 0.8,
      path: "src/add.js",
      start_line: 2,
      end_line: 2,
    },
  ],
  overall: { verdict: "needs changes", explanation: "Strings are not handled." },
};

let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer(
    {
      fix: (turn) => fixReplies[turn] ?? { text: "done" },
      review: () => ({ text: JSON.stringify(review) }),
    },
    // A review's request quotes the reviewed task's prompt (and its marker): the review prompt decides.
    { pick: (text) => (text.includes("What to flag") ? "review" : text.includes("[script:fix]") ? "fix" : undefined) },
  );
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

describe("a review of a Code task's result", () => {
  it("starts from the task's Review button and shows findings beside the diff, linked to their lines", async () => {
    const codeId = await composeTask(page, "fix add [script:fix]", "Code");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
    const before = page.url();
    await page.locator(".task-header").getByRole("button", { name: "Review", exact: true }).click();
    await page.waitForURL((url) => url.href !== before && /\/tasks\/[^/]+$/.test(url.pathname));
    const reviewId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    expect(reviewId).not.toBe(codeId);
    await page.locator(`.task-view[data-task-id="${reviewId}"]`).waitFor();
    expect(await page.locator(".task-header .mode").textContent()).toBe("Review");

    const findings = page.getByTestId("finding");
    await findings.first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("verdict").textContent()).toBe("Needs changes — Strings are not handled.");
    // Most urgent first, each with its priority, title and place.
    expect(await findings.locator(".finding-link").allTextContents()).toEqual([
      "P1add still breaks on stringssrc/add.js:2",
      "P3The test file is not updatedtest.js:2",
    ]);
    // The review's own diff is the change it read; nothing to ship from a review.
    const pane = page.getByRole("region", { name: "Review" });
    expect(await pane.locator(".diff2html").textContent()).toContain("return a + b;");
    expect(await page.getByTestId("download-patch").count()).toBe(0);
    expect(await page.locator(".task-log .review-summary").textContent()).toBe("Review: 2 findings, needs changes");

    // A finding scrolls the diff to its line and marks it.
    await findings.first().locator(".finding-link").click();
    const cited = pane.locator(".diff2html tr.cited-line");
    await cited.waitFor();
    expect(await cited.textContent()).toContain("return a + b;");
    // Inside the window once the smooth scroll ends (the page's own code, passed as text: no DOM types here).
    await page.waitForFunction(
      "(() => { const box = document.querySelector('.diff2html tr.cited-line')?.getBoundingClientRect();" +
        " return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight; })()",
    );

    // A finding at a file the diff does not show opens that file at its line.
    await findings.nth(1).locator(".finding-link").click();
    await page.getByRole("region", { name: "File test.js" }).waitFor();
  }, 120_000);
});
