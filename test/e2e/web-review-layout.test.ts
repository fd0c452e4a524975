/**
 * The review pane at common laptop widths (1280 and 1440 px), in Chromium, against a real
 * `quire serve`: the diff opens unified when its pane is narrow and a long code line wraps
 * instead of being cut; a verification that passed stays folded so the diff is in view; the
 * header (status, cost, Cancel) stays in view while a running task's log is scrolled; and the
 * header names the environment the task ran in.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { shellCall } from "../helpers/web-scripts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const LONG_END = "END_OF_THE_LONG_LINE";
const longLine = `export const words = "${"lorem ipsum dolor sit amet ".repeat(12)}${LONG_END}";`;
const longPatch = ["*** Begin Patch", "*** Add File: src/words.js", `+${longLine}`, "*** End Patch"].join("\n");

const wideScript = (turn: number): ScriptedReply =>
  [
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    { toolCalls: [{ name: "apply_patch", arguments: { input: longPatch } }] },
  ][turn] ?? { text: "Fixed add and added the words." };

// A long log (40 commands; even folded, taller than the window), then a wait: the page scrolls
// while the task still runs.
const longRunScript = (turn: number): ScriptedReply => {
  if (turn === 0)
    return { toolCalls: Array.from({ length: 40 }, (_, index) => shellCall(["echo", `step ${index + 1}`])) };
  if (turn === 1) return { toolCalls: [shellCall(["sleep", "30"], 60_000)] };
  return { text: "Done waiting." };
};

// One command that waits: a short log while the task runs.
const shortRunScript = (turn: number): ScriptedReply =>
  turn === 0 ? { toolCalls: [shellCall(["sleep", "30"], 60_000)] } : { text: "Done waiting." };

let server: WebServer;
let browser: Browser;
let repositoryId: string;
let wideTaskId: string;

interface Box {
  left: number;
  right: number;
}

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ wide: wideScript, long: longRunScript, short: shortRunScript });
  repositoryId = (await server.addRepository(makeRepo(failingTestRepo))).id;
  const environment = await server.api<{ environment: { id: string } }>("/api/environments", "POST", {
    repo: repositoryId,
    name: "node-checks",
    definition: {},
  });
  expect(environment.status).toBe(201);
  const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo: repositoryId,
    ref: "main",
    mode: "code",
    prompt: "Fix add and add the words [script:wide]",
    environment: environment.body.environment.id,
  });
  expect(created.status).toBe(201);
  wideTaskId = created.body.task.id;
  // expect.poll only works inside a test: wait for verification by hand.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const task = await server.api<{ task: { verification: string | null } }>(`/api/tasks/${wideTaskId}`, "GET");
    if (task.body.task.verification === "verified") break;
    if (Date.now() > deadline) throw new Error(`the task did not verify: ${JSON.stringify(task.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openAt(width: number, path: string): Promise<Page> {
  // A fresh context: no remembered diff layout.
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}${path}`);
  return page;
}

describe.each([1280, 1440])("the review pane at %i px", (width) => {
  it("shows the diff unified with the long line whole, the passed verification folded, and the environment", async () => {
    const page = await openAt(width, `/tasks/${wideTaskId}`);
    const line = page.locator(".diff2html .d2h-code-line-ctn", { hasText: LONG_END });
    await line.waitFor();
    expect(await page.getByRole("button", { name: "Unified" }).getAttribute("aria-pressed")).toBe("true");

    // Nothing of the line is cut: it lies within the diff's visible box, and no box scrolls sideways.
    const diffBox = (await page.locator(".diff2html").boundingBox())!;
    const ends = await line.evaluate((element) => {
      const range = (
        element.ownerDocument as unknown as {
          createRange(): { selectNodeContents(n: unknown): void; getBoundingClientRect(): Box };
        }
      ).createRange();
      range.selectNodeContents(element);
      return range.getBoundingClientRect();
    });
    expect(ends.right).toBeLessThanOrEqual(diffBox.x + diffBox.width + 1);
    expect(ends.left).toBeGreaterThanOrEqual(diffBox.x - 1);
    const sideways = await page
      .locator(".diff2html .d2h-file-diff, .diff2html .d2h-files-diff, .diff2html .d2h-file-wrapper")
      .evaluateAll(
        (boxes) =>
          boxes.filter(
            (box) =>
              (box as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth >
              (box as unknown as { clientWidth: number }).clientWidth + 1,
          ).length,
      );
    expect(sideways).toBe(0);

    // Verified: the checks are folded under their summary, and the diff starts above the fold.
    const verification = page.getByRole("region", { name: "Verification" });
    await verification.locator(".badge", { hasText: "Verified" }).waitFor();
    expect(await verification.locator("details.verification-details").getAttribute("open")).toBeNull();
    const firstFile = (await page.locator(".diff2html .d2h-file-wrapper").first().boundingBox())!;
    expect(firstFile.y).toBeLessThan(900);

    expect(await page.getByTestId("task-environment").textContent()).toBe("node-checks");
    await page.context().close();
  }, 60_000);

  it("keeps the header (status, Cancel) in view while a running task's log scrolls", async () => {
    const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
      repo: repositoryId,
      ref: "main",
      mode: "code",
      prompt: "Wait with a long log [script:long]",
    });
    const taskId = created.body.task.id;
    const page = await openAt(width, `/tasks/${taskId}`);
    await page
      .locator(".task-log .command", { hasText: "sleep 30" })
      .locator(".exit.running")
      .waitFor({ timeout: 60_000 });
    await page.locator("#main").evaluate((main) => {
      const box = main as unknown as { scrollTop: number; scrollHeight: number };
      box.scrollTop = box.scrollHeight;
    });
    await expect
      .poll(() => page.locator("#main").evaluate((main) => (main as unknown as { scrollTop: number }).scrollTop))
      .toBeGreaterThan(300);
    const header = page.locator(".task-header");
    const box = (await header.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(5);
    expect(await page.locator(".task-header .badge").textContent()).toBe("Running");
    const cancel = page.getByRole("button", { name: "Cancel" });
    const cancelBox = (await cancel.boundingBox())!;
    expect(cancelBox.y).toBeGreaterThanOrEqual(0);
    expect(cancelBox.y + cancelBox.height).toBeLessThan(900);
    expect(await page.getByTestId("task-environment").textContent()).toBe("Default environment");
    await cancel.click();
    await page.locator(".task-header .badge", { hasText: "Cancelled" }).waitFor({ timeout: 30_000 });
    await page.context().close();
  }, 90_000);

  it("fits a short running task in the window: nothing to scroll, so the log's first entry stays in view", async () => {
    const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
      repo: repositoryId,
      ref: "main",
      mode: "code",
      prompt: "Wait a little [script:short]",
    });
    const page = await openAt(width, `/tasks/${created.body.task.id}`);
    await page.locator(".task-log .command .exit.running").waitFor({ timeout: 60_000 });
    const overflow = await page.locator("#main").evaluate((main) => {
      const box = main as unknown as { scrollHeight: number; clientHeight: number };
      return box.scrollHeight - box.clientHeight;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator(".task-header .badge", { hasText: "Cancelled" }).waitFor({ timeout: 30_000 });
    await page.context().close();
  }, 90_000);
});
