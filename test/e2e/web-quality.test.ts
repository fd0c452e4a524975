/**
 * Qualities of the web app rather than features: a task of more than a thousand events stays
 * usable (live and loaded afresh), nothing jumps while the log streams, the themes, and
 * keyboard use (every control named, focus visible, a sensible order).
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { api } from "../helpers/server.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";
import {
  focusedControl,
  inView,
  layoutShifts,
  longestTask,
  recordLayoutShifts,
  recordLongTasks,
  rootBackground,
  storedItem,
} from "../helpers/web-probes.js";
import { shellCall, slowScript } from "../helpers/web-scripts.js";

/** 900 tool calls in one turn: every ninth a command (two events), the rest edits (one event each). */
const CALLS = 900;
function thousandEvents(turn: number): ScriptedReply {
  if (turn > 0) return { text: `Done: ${CALLS} steps.` };
  const toolCalls = Array.from({ length: CALLS }, (_, index) => {
    if (index % 9 === 0) return shellCall(["echo", `command ${index}`]);
    const patch =
      index === 1
        ? "*** Add File: notes.txt\n+note 1"
        : `*** Update File: notes.txt\n@@\n note ${index - (index % 9 === 1 ? 2 : 1)}\n+note ${index}`;
    return { name: "apply_patch", arguments: { input: `*** Begin Patch\n${patch}\n*** End Patch` } };
  });
  return { reasoning: "Many small steps.", toolCalls };
}

let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let repositoryId: string;
/** The thousand-event task, for the later tests. */
let thousandTaskId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ thousand: thousandEvents, slow: slowScript });
  repositoryId = (await server.addRepository(makeRepo(failingTestRepo))).id;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function createTask(prompt: string): Promise<string> {
  const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
    repo: repositoryId,
    ref: "main",
    mode: "code",
    prompt,
  });
  expect(created.status).toBe(201);
  return created.body.task.id;
}

describe("a task of more than a thousand events", () => {
  let taskId: string;

  it("streams live without freezing the page, and the last entry is reachable", async () => {
    await page.goto(server.url);
    await recordLongTasks(page);
    taskId = await createTask("Take many small steps [script:thousand]");
    thousandTaskId = taskId;
    await page.goto(`${server.url}/tasks/${taskId}`);
    await recordLongTasks(page);
    await page.locator('.task-log .round-end[data-end-status="completed"]').waitFor({ timeout: 90_000 });
    const task = await api<{ task: { lastEventSeq: number } }>(`${server.url}/api/tasks/${taskId}`, "GET");
    expect(task.body.task.lastEventSeq).toBeGreaterThanOrEqual(1000);
    expect(await page.locator(".task-log .timeline-entry").count()).toBeGreaterThan(900);
    // While following, the log kept its newest entry in view.
    await expect.poll(() => inView(page, ".task-log .round-end")).toBe(true);
    // No single task blocked the page for seconds (a fold or render quadratic in events would).
    expect(await longestTask(page)).toBeLessThan(3000);
  }, 120_000);

  it("loads afresh, scrolls to its end and answers clicks at once", async () => {
    const fresh = await context.newPage();
    const started = Date.now();
    await fresh.goto(`${server.url}/tasks/${taskId}`);
    await fresh.locator('.task-log .round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    const loaded = Date.now() - started;
    await recordLongTasks(fresh);

    await fresh.locator(".main").evaluate((main) => main.scrollTo(0, main.scrollHeight));
    await expect.poll(() => inView(fresh, ".task-log .round-end")).toBe(true);
    const lastCommand = fresh.locator(".task-log .command").last();
    await lastCommand.scrollIntoViewIfNeeded();
    const header = lastCommand.locator(".command-header");
    expect(await header.getAttribute("aria-expanded")).toBe("false");
    await header.click();
    await expect.poll(() => header.getAttribute("aria-expanded"), { timeout: 2000 }).toBe("true");
    expect(await lastCommand.locator(".command-output").textContent()).toContain("command 891");
    // With `buffered`, this includes the load: rendering a thousand entries is not one long freeze.
    expect(await longestTask(fresh)).toBeLessThan(2000);
    // A generous bound: it catches a page that takes ages, not a slow machine.
    expect(loaded).toBeLessThan(20_000);
    await fresh.close();
  }, 60_000);
});

describe("stability while the log streams", () => {
  it("moves nothing the reader sees: no layout shift while a task runs and ends", async () => {
    await page.goto(server.url);
    const taskId = await createTask("Three slow steps [script:slow]");
    await page.goto(`${server.url}/tasks/${taskId}`);
    await page.locator(".task-log .timeline-entry").first().waitFor({ timeout: 30_000 });
    await recordLayoutShifts(page);
    await page.locator('.task-log .round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    await page.locator(".task-header .badge", { hasText: "Ready for review" }).waitFor();
    await page.waitForTimeout(1000);
    const shifts = await layoutShifts(page);
    // The Layout Instability API's score ("good" is under 0.1): only the "Working…" line, which
    // new entries push down, may move; what is already there stays where the reader saw it.
    const total = shifts.reduce((sum, shift) => sum + shift.value, 0);
    expect(total, JSON.stringify(shifts)).toBeLessThan(0.01);
    const moved = new Set(shifts.flatMap((shift) => shift.sources));
    for (const stable of ["DIV.user-message", "DIV.reasoning", "DIV.agent-message", "DIV.timeline-entry"]) {
      expect(moved.has(stable), JSON.stringify(shifts)).toBe(false);
    }
  }, 60_000);
});

describe("themes", () => {
  it("follows the system's dark preference, and the toggle's choice outlives a reload", async () => {
    const dark = await browser.newContext({ viewport: { width: 1300, height: 900 }, colorScheme: "dark" });
    const tab = await dark.newPage();
    const background = (): Promise<string> => rootBackground(tab);
    await tab.goto(server.url);
    const toggle = tab.getByRole("button", { name: "Dark theme" });
    await tab.locator('html[data-theme="dark"]').waitFor({ state: "attached" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    expect(await background()).toBe("rgb(13, 17, 23)");

    await toggle.click();
    await tab.locator('html[data-theme="light"]').waitFor({ state: "attached" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await background()).toBe("rgb(255, 255, 255)");
    expect(await storedItem(tab, "quire.theme")).toBe("light");

    // The choice beats the system's preference, after a reload too; the diff follows the theme.
    await tab.goto(`${server.url}/tasks/${thousandTaskId}`);
    await tab.locator(".diff2html .d2h-file-wrapper").first().waitFor({ timeout: 30_000 });
    expect(await tab.locator("html").getAttribute("data-theme")).toBe("light");
    expect(await tab.locator(".d2h-dark-color-scheme").count()).toBe(0);
    await toggle.click();
    await tab.locator(".d2h-dark-color-scheme").first().waitFor();
    expect(await background()).toBe("rgb(13, 17, 23)");
    await dark.close();
  }, 60_000);
});

describe("keyboard and labels", () => {
  it("names every control on the task list, a task, the environments, usage and settings pages", async () => {
    const created = await api<{ environment: { id: string } }>(`${server.url}/api/environments`, "POST", {
      repo: repositoryId,
      name: "full",
      definition: {
        setup: "npm ci\n",
        variables: { CI: "1" },
        secrets: ["TOKEN"],
        network: { mode: "allowlist", domains: ["example.com"] },
        checks: ["npm test"],
      },
    });
    expect(created.status).toBe(201);
    const paths = ["/", `/tasks/${thousandTaskId}`, `/environments/${repositoryId}`, "/usage"];
    for (const path of [...paths, "/settings/tokens", "/settings/webhooks", "/settings/audit"]) {
      await page.goto(`${server.url}${path}`);
      await page.locator(".task-row").first().waitFor();
      if (path.startsWith("/tasks")) await page.locator(".diff2html").waitFor({ timeout: 30_000 });
      if (path.startsWith("/environments")) await page.getByRole("heading", { name: "full" }).waitFor();
      if (path === "/usage") await page.locator(".usage-table").waitFor();
      if (path === "/settings/tokens") await page.getByRole("form", { name: "New API token" }).waitFor();
      if (path === "/settings/audit") await page.locator(".audit-table").waitFor();
      if (path === "/settings/webhooks") await page.getByRole("form", { name: "New webhook" }).waitFor();
      // Playwright's accessibility tree: a control without a name shows as a bare role.
      const tree = await page.locator("body").ariaSnapshot();
      const unnamed = tree
        .split("\n")
        .filter((line) =>
          /^\s*- (button|link|textbox|combobox|checkbox|radio|tab|spinbutton|searchbox)( \[[^\]]*\])*:?$/.test(line),
        );
      expect(unnamed, `${path}:\n${tree}`).toEqual([]);
    }
  }, 60_000);

  it("tabs through the side panel in reading order, with a visible focus ring", async () => {
    await page.goto(server.url);
    await page.getByLabel("Branch").locator("option", { hasText: "main" }).waitFor({ state: "attached" });
    const seen: { name: string; ring: boolean }[] = [];
    // From a fresh load (Ask and Code are disabled until there is a prompt: not tab stops).
    for (let step = 0; step < 15; step++) {
      await page.keyboard.press("Tab");
      seen.push(await focusedControl(page));
    }
    expect(seen.map((entry) => entry.name)).toEqual([
      "Skip to content",
      "Quire",
      "Environments",
      "Usage",
      "Settings",
      "Dark theme",
      "Prompt",
      "Attach image",
      "Repository",
      "+ Repo",
      "Manage repository",
      "Branch",
      "Environment",
      "Number of attempts",
      "All",
    ]);
    expect(seen.filter((entry) => !entry.ring)).toEqual([]);

    // The skip link goes straight to the main area.
    await page.reload();
    await page.locator(".skip-link").waitFor({ state: "attached" });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect((await focusedControl(page)).id).toBe("main");
  }, 60_000);

  it("opens a task and a command's output from the keyboard", async () => {
    await page.goto(server.url);
    const row = page.locator(`.task-row[data-task-id="${thousandTaskId}"]`);
    await row.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/tasks/${thousandTaskId}`);
    const header = page.locator(".task-log .command-header").first();
    await header.focus();
    expect(await header.getAttribute("aria-expanded")).toBe("false");
    await page.keyboard.press("Enter");
    await expect.poll(() => header.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Space");
    await expect.poll(() => header.getAttribute("aria-expanded")).toBe("false");
  }, 60_000);
});
