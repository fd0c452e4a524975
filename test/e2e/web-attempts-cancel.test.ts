/**
 * The web app with several attempts (ranked tabs, verified badge, a diff each), an Ask task,
 * archiving with the list's filters, and cancelling a task whose command is still running.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { api } from "../helpers/server.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";
import { shellCall } from "../helpers/web-scripts.js";

const wrongPatch = fixAddPatch.replace("+  return a + b;", "+  return a * b;");
const bigFix = fixAddPatch.replace("+  return a + b;", "+  // fixed\n+  return a + b;");
const patchReplies = (patch: string, message: string): ScriptedReply[] => [
  { toolCalls: [{ name: "apply_patch", arguments: { input: patch } }] },
  { text: message },
];
// Conversations in the order the attempts first call the model; the ranking does not depend on it.
const attemptScripts = [
  patchReplies(wrongPatch, "wrong"),
  patchReplies(bigFix, "big fix"),
  patchReplies(fixAddPatch, "small fix"),
];

let server: WebServer;
let browser: Browser;
let page: Page;
let environmentId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({
    three: (turn, conversation) => attemptScripts[conversation]?.[turn] ?? { text: "done" },
    sleep: (turn) => (turn === 0 ? { toolCalls: [shellCall(["sleep", "60"], 120_000)] } : { text: "woke up" }),
    long: (turn) =>
      turn === 0
        ? { toolCalls: [shellCall(["sh", "-c", "printf '\\033[31mred alert\\033[0m\\n'; seq 1 5000"])] }
        : { text: "Printed a lot." },
    tail: (turn) =>
      turn === 0
        ? {
            toolCalls: [
              shellCall(["sh", "-c", "seq 1 100; sleep 1; seq 101 200; sleep 2; seq 201 300; sleep 2"], 60_000),
            ],
          }
        : { text: "Tailed." },
    ask: () => ({ text: "`add` lives in `src/add.js:1`; it **subtracts**." }),
  });
  const repository = await server.addRepository(makeRepo(failingTestRepo));
  const environment = await api<{ environment: { id: string } }>(`${server.url}/api/environments`, "POST", {
    repo: repository.id,
    name: "node-env",
    definition: {},
  });
  expect(environment.status).toBe(201);
  environmentId = environment.body.environment.id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);
  await page.getByLabel("Repository").locator("option", { hasText: "tiny" }).waitFor({ state: "attached" });
  await page.getByLabel("Branch").locator("option", { hasText: "main" }).waitFor({ state: "attached" });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function compose(
  prompt: string,
  options: { attempts?: number; mode?: "Ask" | "Code"; environment?: string } = {},
): Promise<string> {
  await page.getByLabel("Number of attempts").selectOption(String(options.attempts ?? 1));
  await page.getByLabel("Environment").selectOption({ label: options.environment ?? "Default environment" });
  await page.getByLabel("Prompt").fill(prompt);
  const before = page.url();
  await page.getByRole("button", { name: options.mode ?? "Code", exact: true }).click();
  await page.waitForURL((url) => url.href !== before && /\/tasks\/[^/]+$/.test(url.pathname));
  const taskId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  // The URL changes before React swaps the views: until then the previous task's view (and its
  // finished timeline) is still on the page.
  await page.locator(`.task-view[data-task-id="${taskId}"]`).waitFor();
  return taskId;
}

describe("the web app with attempts, Ask, archive and cancel", () => {
  it("shows three attempts as tabs, best first, each with its own checks and diff", async () => {
    const taskId = await compose("Fix the failing test [script:three]", { attempts: 3 });
    await page.locator(`.task-row[data-task-id="${taskId}"] .mode`, { hasText: "×3" }).waitFor();
    const tabs = page.getByRole("tablist", { name: "Attempts" }).getByRole("tab");
    // The ranking comes with the task's own end, after all three attempts finished.
    await tabs.first().locator(".badge", { hasText: "Best" }).waitFor({ timeout: 60_000 });
    expect(await tabs.count()).toBe(3);

    const best = tabs.nth(0);
    expect(await best.getAttribute("aria-selected")).toBe("true");
    expect(await best.locator(".badge").allTextContents()).toEqual(["Best", "Verified"]);
    expect(await tabs.nth(1).locator(".badge").allTextContents()).toEqual(["Verified"]);
    expect(await tabs.nth(2).locator(".badge").allTextContents()).toEqual(["Checks failed"]);
    await expect.poll(() => best.locator(".diff-stats").textContent()).toBe("+1 −1");
    expect(await page.locator(".task-log .agent-message").textContent()).toBe("small fix");
    expect(await page.locator(".diff2html").textContent()).not.toContain("// fixed");

    await tabs.nth(1).click();
    await page.locator(".task-log .agent-message", { hasText: "big fix" }).waitFor();
    await expect.poll(() => page.locator(".diff2html").textContent()).toContain("// fixed");

    await tabs.nth(2).click();
    await page.locator(".task-log .agent-message", { hasText: "wrong" }).waitFor();
    await page.locator(".verification .badge", { hasText: "Checks failed" }).waitFor();
    await page.locator(".verification summary", { hasText: "Verification log" }).click();
    expect(await page.locator(".verification .verification-log pre").textContent()).toContain("FAIL: add(2, 3) = 6");

    // This repository has no remote: Create PR shows why it could not push.
    await tabs.nth(0).click();
    await page.getByRole("button", { name: "Create PR" }).click();
    const failure = page.locator(".deliver [role=alert]");
    await failure.waitFor({ timeout: 30_000 });
    expect(await failure.textContent()).toMatch(/remote/i);
  }, 90_000);

  it("shows long output whole: ANSI colours rendered, lines virtualised, the last line reachable", async () => {
    await compose("Print a lot [script:long]");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
    const command = page.locator(".task-log .command", { hasText: "seq 1 5000" });
    if ((await command.locator(".command-header").getAttribute("aria-expanded")) === "false") {
      await command.locator(".command-header").click();
    }
    expect(await command.locator(".output-note").textContent()).toContain("5,001 lines");
    const output = command.locator(".command-output.virtual");
    expect(await output.locator(".output-line").count()).toBeLessThan(200);
    // Coloured through a class (the CSP allows no inline styles): its colour differs from the line's.
    const red = output.locator(".output-line span", { hasText: "red alert" });
    expect(await red.getAttribute("class")).toMatch(/ansi-\d+/);
    const colours = await red.evaluate((span) => {
      // The page's getComputedStyle, typed without the DOM library (tests have none).
      const view = globalThis as unknown as { getComputedStyle(element: unknown): { color: string } };
      return { span: view.getComputedStyle(span).color, line: view.getComputedStyle(span.parentElement).color };
    });
    expect(colours.span).not.toBe(colours.line);
    await output.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await output.locator(".output-line", { hasText: /^5000$/ }).waitFor();
  }, 90_000);

  it("keeps a running command's newest output in view, until the reader scrolls up", async () => {
    await compose("Tail the output [script:tail]");
    const output = page.locator(".task-log .command", { hasText: "seq 1 100" }).locator(".command-output");
    const line200 = output.locator(".output-line", { hasText: /^200$/ });
    await line200.waitFor({ timeout: 30_000 });
    // Still running, and the box scrolled itself to its end: line 200 is inside its visible part.
    expect(await page.locator(".task-log .command .exit.running").count()).toBe(1);
    const shown = await output.evaluate((box) => {
      const last = box.querySelector(".output-line:last-child")!.getBoundingClientRect();
      const frame = box.getBoundingClientRect();
      return { inView: last.bottom <= frame.bottom + 1 && last.top >= frame.top - 1, scrolled: box.scrollTop > 0 };
    });
    expect(shown).toEqual({ inView: true, scrolled: true });

    // The reader scrolls up to read: newer output no longer pulls the box down.
    await output.evaluate((box) => box.scrollTo(0, 0));
    await output.locator(".output-line", { hasText: /^300$/ }).waitFor({ state: "attached", timeout: 30_000 });
    expect(await output.evaluate((box) => box.scrollTop)).toBe(0);
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
  }, 90_000);

  it("runs an Ask task in a chosen environment: a Markdown answer, no diff, answered (not up for review)", async () => {
    const taskId = await compose("Where is add? [script:ask]", { mode: "Ask", environment: "node-env" });
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.locator(".task-log .agent-message strong").textContent()).toBe("subtracts");
    expect(await page.locator(".task-header .mode").textContent()).toBe("Ask");
    await page.locator(".task-header .badge", { hasText: "Answered" }).waitFor();
    await page.locator(".review", { hasText: "No changes." }).waitFor();
    expect(await page.getByTestId("download-patch").count()).toBe(0);

    // The citation opens the file itself at that line: there is no diff to show it in.
    await page.locator(".task-log .agent-message button.citation", { hasText: "src/add.js:1" }).click();
    const file = page.getByRole("region", { name: "File src/add.js" });
    await file.waitFor();
    const cited = file.locator(".file-line.cited-line");
    expect(await cited.getAttribute("data-line")).toBe("1");
    expect(await cited.locator(".file-line-code").textContent()).toBe("export function add(a, b) {");
    expect(await file.locator(".file-line").count()).toBe(3);
    // Scrolled into view.
    await expect
      .poll(async () => {
        const box = await cited.boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= page.viewportSize()!.height;
      })
      .toBe(true);
    await file.getByRole("button", { name: "Close src/add.js" }).click();
    await file.waitFor({ state: "detached" });
    await page.locator(`.task-row[data-task-id="${taskId}"] .badge`, { hasText: "Answered" }).waitFor();
    const task = await api<{ task: { mode: string; environmentId: string | null } }>(
      `${server.url}/api/tasks/${taskId}`,
      "GET",
    );
    expect(task.body.task.mode).toBe("ask");
    expect(task.body.task.environmentId).toBe(environmentId);
  }, 90_000);

  it("archives a task: it leaves the list, offers no Send, shows under Archived and can be unarchived; the filters sort the rest", async () => {
    const taskId = new URL(page.url()).pathname.split("/").pop()!;
    const row = page.locator(`.task-row[data-task-id="${taskId}"]`);
    await page.getByRole("button", { name: "Archive" }).click();
    await row.waitFor({ state: "detached" });
    // An archived task offers no follow-up, and can be brought back.
    expect(await page.getByRole("button", { name: "Send" }).count()).toBe(0);
    await page.getByText("Archived: unarchive the task to send a follow-up.").waitFor();
    await page.getByRole("tab", { name: "Archived" }).click();
    await row.waitFor();
    expect(await page.locator(".task-row").count()).toBe(1);
    await page.getByRole("button", { name: "Unarchive" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Send" }).waitFor();
    await page.getByRole("tab", { name: "All" }).click();
    await row.waitFor();
    await page.getByRole("button", { name: "Archive" }).click();
    await row.waitFor({ state: "detached" });
    // To review: the other finished tasks, newest first, not this one.
    await page.getByRole("tab", { name: "To review" }).click();
    await row.waitFor({ state: "detached" });
    await expect
      .poll(() => page.locator(".task-row .task-row-prompt").allTextContents())
      .toEqual(["Tail the output [script:tail]", "Print a lot [script:long]", "Fix the failing test [script:three]"]);
    await page.getByRole("tab", { name: "All" }).click();
  });

  it("cancels a running task: its command stops and the task ends cancelled", async () => {
    const taskId = await compose("Wait a minute [script:sleep]");
    const command = page.locator(".task-log .command", { hasText: "sleep 60" });
    await command.locator(".exit.running").waitFor({ timeout: 60_000 });
    await page.locator(".task-log .working").waitFor();
    await expect.poll(() => page.getByTestId("working-for").textContent()).toMatch(/^for \d/);
    await page.getByRole("tab", { name: "Running" }).click();
    await page.locator(`.task-row[data-task-id="${taskId}"]`).waitFor();

    const started = Date.now();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator('.round-end[data-end-status="cancelled"]').waitFor({ timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    await page.locator(".task-header .badge", { hasText: "Cancelled" }).waitFor();
    expect(await command.locator(".exit.running").count()).toBe(0);
    expect(await page.locator(".task-log .working").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    await page.locator(`.task-row[data-task-id="${taskId}"]`).waitFor({ state: "detached" });
  }, 90_000);
});
