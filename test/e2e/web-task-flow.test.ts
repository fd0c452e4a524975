/**
 * The web app end to end, in Chromium, against a real `quire serve` with the scripted model:
 * compose a Code task, watch its timeline, follow citations into the diff, see it verified,
 * the changed files as a tree, download the patch, copy the apply commands (and run them),
 * create a PR against a bare remote, and send a follow-up.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { runQuire } from "../helpers/quire.js";
import { api } from "../helpers/server.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { readClipboard } from "../helpers/web-probes.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";
import { planCall, shellCall } from "../helpers/web-scripts.js";

const steps = ["Run the tests", "Fix add", "Run the tests again"];
const finalMessage = [
  "Fixed `add` in `src/add.js:2`: it subtracted instead of adding.",
  "",
  "`node test.js` now passes. The fix, for the **record**:",
  "",
  "```js",
  "return a + b;",
  "```",
].join("\n");

const fixScript = (turn: number): ScriptedReply =>
  [
    {
      reasoning: "The test says add(2, 3) is wrong; run it first.",
      toolCalls: [planCall(steps, 0), shellCall(["node", "test.js"])],
    },
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }, planCall(steps, 2)] },
    { toolCalls: [shellCall(["node", "test.js"]), planCall(steps, 3)] },
    { text: finalMessage },
    { text: "Also checked: nothing else to change." },
    // The second follow-up: a note beside the fix, for "Push update".
    { toolCalls: [{ name: "apply_patch", arguments: { input: addNotesPatch } }] },
    { text: "Wrote NOTES.md." },
  ][turn] ?? { text: "Nothing more." };

const addNotesPatch = ["*** Begin Patch", "*** Add File: NOTES.md", "+add() adds now.", "*** End Patch"].join("\n");

let server: WebServer;
let browser: Browser;
let page: Page;
let remote: string;
let taskId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ fix: fixScript });
  remote = mkdtempSync(path.join(os.tmpdir(), "quire-remote-"));
  execFileSync("git", ["init", "--quiet", "--bare", remote]);
  const source = makeRepo(failingTestRepo);
  git(source, "remote", "add", "origin", remote);
  await server.addRepository(source);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  // Shorter than the test's own timeout, so a missing element fails with Playwright's message.
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the web app runs a Code task from prompt to pull request", () => {
  it("composes a Code task with Ctrl+Enter, which then shows in the task list", async () => {
    await page.goto(server.url);
    await page.getByLabel("Repository").locator("option", { hasText: "tiny" }).waitFor({ state: "attached" });
    await expect.poll(() => page.getByLabel("Branch").inputValue()).toBe("main");
    await page.getByLabel("Prompt").fill("Fix the failing test [script:fix]");
    await page.getByLabel("Prompt").press("Control+Enter");

    await page.waitForURL(/\/tasks\/[^/]+$/);
    taskId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    const row = page.locator(`.task-row[data-task-id="${taskId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Fix the failing test");
    expect(await page.getByLabel("Prompt").inputValue()).toBe("");
    // Single-user mode: nobody signs in, so there is no account bar (and no sign-in page came first).
    expect(await page.getByRole("group", { name: "Account" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
  });

  it("shows the timeline live: reasoning, the plan updated in place, commands with exit codes, the final message as Markdown", async () => {
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });
    const timeline = page.locator(".task-log .timeline");

    expect(await timeline.locator(".reasoning").first().textContent()).toContain("run it first");

    const commands = timeline.locator(".command");
    expect(await commands.count()).toBe(2);
    expect(await commands.nth(0).getAttribute("data-exit-code")).toBe("1");
    expect(await commands.nth(0).locator(".exit").textContent()).toBe("exit 1");
    expect(await commands.nth(1).locator(".exit").textContent()).toBe("exit 0");
    // The failed run opened by itself, showing the test's own output.
    expect(await commands.nth(0).locator(".command-output").textContent()).toContain("FAIL: add(2, 3) = -1");
    // A command seen running is open already (its output showed live); else open it.
    const second = commands.nth(1).locator(".command-header");
    if ((await second.getAttribute("aria-expanded")) === "false") await second.click();
    expect(await commands.nth(1).locator(".command-output").textContent()).toContain("ok: 1 test passed");

    // One plan, updated in place: all steps ticked at the end.
    const plan = timeline.locator(".plan");
    expect(await plan.count()).toBe(1);
    expect(await plan.locator("li").allTextContents()).toEqual(steps);
    expect(await plan.locator("input:checked").count()).toBe(3);

    expect(await timeline.locator(".file-change").textContent()).toContain("src/add.js");

    const message = timeline.locator(".agent-message").last();
    expect(await message.locator("strong").textContent()).toBe("record");
    expect(await message.locator("pre code.hljs").textContent()).toContain("return a + b;");
    expect(await page.getByTestId("usage").textContent()).toMatch(/tokens/);
  }, 90_000);

  it("follows a path:line citation to that line of the diff, and a command citation to its block", async () => {
    const message = page.locator(".task-log .agent-message").last();
    // The pane is narrow for two columns, so the diff opens unified: choose side by side first.
    expect(await page.getByRole("button", { name: "Unified" }).getAttribute("aria-pressed")).toBe("true");
    await page.getByRole("button", { name: "Side by side" }).click();
    await page.locator(".diff2html .d2h-file-side-diff").first().waitFor();
    await message.locator('button.citation[data-cite-file="src/add.js"]').click();
    const cited = page.locator(".diff2html tr.cited-line");
    await cited.waitFor();
    expect(await cited.textContent()).toContain("return a + b;");
    await expect.poll(() => cited.isVisible()).toBe(true);

    // The unified layout finds the same line.
    await page.getByRole("button", { name: "Unified" }).click();
    await page.locator(".diff2html .d2h-file-side-diff").waitFor({ state: "detached" });
    await message.locator('button.citation[data-cite-file="src/add.js"]').click();
    await expect.poll(() => page.locator(".diff2html tr.cited-line").textContent()).toContain("return a + b;");

    await message.locator("button.citation[data-cite-command]").click();
    const target = page.locator(".task-log .command.highlighted");
    await target.waitFor();
    expect(await target.locator(".command-text").textContent()).toBe("node test.js");
    expect(await target.getAttribute("data-exit-code")).toBe("0");
  });

  it("shows the task verified, in the list and in the review, with the checks that ran", async () => {
    await page.locator(".verification .badge", { hasText: "Verified" }).waitFor();
    expect(await page.locator(".verification .command .command-text").allTextContents()).toContain("node test.js");
    await expect
      .poll(() => page.locator(`.task-row[data-task-id="${taskId}"] .badge`).textContent(), { timeout: 10_000 })
      .toBe("Verified");
    expect(await page.locator(`.task-row[data-task-id="${taskId}"] .diff-stats`).textContent()).toBe("+1 −1");
  });

  it("offers the patch for download", async () => {
    const link = page.getByTestId("download-patch");
    const href = await link.getAttribute("href");
    expect(href).toContain(`/api/tasks/${taskId}/diff`);
    expect(href).toContain("format=patch");
    expect(await link.getAttribute("download")).toBe(`quire-${taskId}.patch`);
    const patch = await (await fetch(new URL(href!, server.url))).text();
    expect(patch).toMatch(/^From [0-9a-f]{40} /);
    expect(patch).toContain("+  return a + b;");
  });

  it("lists the changed files as a tree whose directories fold, with +/− on each row", async () => {
    const tree = page.getByRole("navigation", { name: "Changed files" });
    const directory = tree.getByRole("button", { name: "src/" });
    expect(await tree.locator('.tree-directory[data-path="src"] > .diff-stats').textContent()).toBe("+1 −1");
    expect(await tree.locator('.tree-file[data-path="src/add.js"] .diff-stats').textContent()).toBe("+1 −1");
    expect(await directory.getAttribute("aria-expanded")).toBe("true");
    await directory.click();
    await tree.locator('.tree-file[data-path="src/add.js"]').waitFor({ state: "detached" });
    expect(await directory.getAttribute("aria-expanded")).toBe("false");
    await directory.click();
    await tree.getByRole("button", { name: "add.js" }).click();
    await page.locator(".d2h-file-wrapper.cited-file").waitFor();
  });

  it("copies an apply command for the server's machine, and a curl one; both apply the diff", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const task = await api<{ task: { bestAttemptId: string } }>(`${server.url}/api/tasks/${taskId}`, "GET");
    const attemptId = task.body.task.bestAttemptId;
    const clipboard = (): Promise<string> => readClipboard(page);

    await page.getByRole("button", { name: "Copy apply command" }).click();
    await page.locator(".copy-field", { hasText: "Copy apply command" }).getByText("Copied.").waitFor();
    expect(await clipboard()).toBe(`quire apply ${attemptId}`);
    expect(await page.getByLabel("Apply command").inputValue()).toBe(`quire apply ${attemptId}`);
    await page.getByRole("button", { name: "Copy curl command" }).click();
    const curl = `curl -sf '${server.url}/api/tasks/${taskId}/diff?attempt=${attemptId}' | git apply`;
    await expect.poll(clipboard).toBe(curl);

    // On the server's machine (its Quire home), `quire apply` applies the attempt's diff.
    const checkout = makeRepo(failingTestRepo);
    const applied = await runQuire(["apply", attemptId], { cwd: checkout, home: server.home });
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(path.join(checkout, "src/add.js"), "utf8")).toContain("return a + b;");
    // Anywhere else, the curl line does.
    const elsewhere = makeRepo(failingTestRepo);
    execFileSync("sh", ["-c", curl], { cwd: elsewhere });
    expect(readFileSync(path.join(elsewhere, "src/add.js"), "utf8")).toContain("return a + b;");
  });

  it("creates a PR with the title and description as edited: a readable branch is pushed to the bare remote", async () => {
    await page.getByText("Pull request title and description").click();
    const title = page.getByLabel("Title", { exact: true });
    expect(await title.inputValue()).toBe("Fix the failing test [script:fix]");
    expect(await page.getByLabel("Description").inputValue()).toContain("Fixed `add`");
    await title.fill("");
    expect(await page.getByRole("button", { name: "Create PR" }).isDisabled()).toBe(true);
    await title.fill("Make add add");
    await page.getByLabel("Description").fill("add subtracted; now it adds.\n\nTested with node test.js.");
    await page.getByRole("button", { name: "Create PR" }).click();
    const result = page.locator(".delivery-result");
    await result.waitFor({ timeout: 30_000 });
    const branch = await result.getByTestId("delivery-branch").textContent();
    expect(branch).toBe(`quire/fix-the-failing-test-script-fix-${taskId.slice(-8)}`);
    expect(git(remote, "show", `refs/heads/${branch}:src/add.js`)).toContain("return a + b;");
    const message = git(remote, "log", "-1", "--format=%B", `refs/heads/${branch}`);
    expect(message).toContain("Make add add\n\nadd subtracted; now it adds.\n\nTested with node test.js.");
    await page.locator(".timeline .delivered").waitFor();
  });

  it("sends a follow-up: the task reopens, and its answer joins the same timeline without repeating it", async () => {
    const before = await page.locator(".task-log .timeline-entry").count();
    await page.getByLabel("Follow-up message").fill("Anything else?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".task-log .agent-message", { hasText: "Also checked" }).waitFor({ timeout: 60_000 });
    await page.locator('.round-end[data-end-status="completed"]').nth(1).waitFor({ timeout: 60_000 });
    expect(await page.locator(".task-log .command").count()).toBe(2);
    expect(await page.locator(".task-log .plan").count()).toBe(1);
    expect(await page.locator(".task-log .timeline-entry").count()).toBeGreaterThan(before);
    expect(await page.locator(".task-log .agent-message").count()).toBe(2);
  });

  it("pushes an update after a follow-up: the same branch, one commit further, and nothing to push after", async () => {
    const branch = (await page.getByTestId("delivery-branch").textContent())!;
    const delivered = git(remote, "rev-parse", `refs/heads/${branch}`).trim();
    // The first follow-up changed nothing: pushing finds the branch already holding the diff.
    await page.getByRole("button", { name: "Push update" }).click();
    await page.locator(".delivery-result", { hasText: "already holds this change" }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: "Push update" }).count()).toBe(0);
    expect(git(remote, "rev-parse", `refs/heads/${branch}`).trim()).toBe(delivered);

    await page.getByLabel("Follow-up message").fill("Write down what changed");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('.round-end[data-end-status="completed"]').nth(2).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Push update" }).click();
    await page.locator(".delivery-result", { hasText: "on top of" }).waitFor({ timeout: 30_000 });
    const head = git(remote, "rev-parse", `refs/heads/${branch}`).trim();
    expect(git(remote, "rev-parse", `${head}^`).trim()).toBe(delivered);
    expect(git(remote, "show", `${head}:NOTES.md`)).toBe("add() adds now.\n");
    expect(git(remote, "show", `${head}:src/add.js`)).toContain("return a + b;");
    expect(await page.getByTestId("delivery-branch").textContent()).toBe(branch);
    expect(await page.getByRole("textbox", { name: "New branch" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Push update" }).count()).toBe(0);
  });

  it("asks for a new branch only when someone else moved the delivered one, and pushes there", async () => {
    const branch = (await page.getByTestId("delivery-branch").textContent())!;
    const theirs = mkdtempSync(path.join(os.tmpdir(), "quire-theirs-"));
    git(theirs, "clone", "--quiet", "--branch", branch, remote, ".");
    git(
      theirs,
      "-c",
      "user.name=Someone",
      "-c",
      "user.email=someone@example.test",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "mine",
    );
    git(theirs, "push", "--quiet", "origin", branch);
    const moved = git(theirs, "rev-parse", "HEAD").trim();

    await page.getByLabel("Follow-up message").fill("Check once more");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('.round-end[data-end-status="completed"]').nth(3).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Push update" }).click();
    await page.getByRole("alert").filter({ hasText: moved }).waitFor({ timeout: 30_000 });
    const newBranch = page.getByRole("textbox", { name: "New branch" });
    expect(await newBranch.inputValue()).toBe(`${branch}-2`);
    expect(git(remote, "rev-parse", `refs/heads/${branch}`).trim()).toBe(moved);

    await page.getByRole("button", { name: "Push to new branch" }).click();
    await page
      .getByTestId("delivery-branch")
      .filter({ hasText: `${branch}-2` })
      .waitFor({ timeout: 30_000 });
    expect(git(remote, "show", `refs/heads/${branch}-2:NOTES.md`)).toBe("add() adds now.\n");
    expect(await newBranch.count()).toBe(0);
  });

  it("single-user mode: the usage page meters the task without sign-in, and no plan (none is in force); settings offer tokens, not members", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "No limits are in force" }).waitFor();
    // No plans.toml: nothing is enforced, but every attempt is metered (the model has no price).
    const row = page.locator(`.usage-table tbody tr[data-key="${taskId}"]`);
    await expect
      .poll(() => row.locator("th a").textContent(), { timeout: 15_000 })
      .toBe("Fix the failing test [script:fix]");
    expect(await row.getByTestId("usage-cost").textContent()).toBe("no price");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
    const tabs = page.getByRole("navigation", { name: "Settings" }).getByRole("link");
    await expect.poll(() => tabs.allTextContents()).toEqual(["API tokens", "Webhooks", "Audit log"]);
  });
});
