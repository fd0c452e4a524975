/**
 * The web timeline shows the person's words (the prompt, then each follow-up) as their messages,
 * each ahead of what the agent did in that round. Chromium against a real `quire serve`.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ADMIN, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({
    fix: (turn) =>
      [{ toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] }, { text: "Fixed add." }][turn] ?? {
        text: "Nothing else to change.",
      },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it("shows the prompt and each follow-up as the person's messages, in order with the agent's", async () => {
  const repository = await server.addRepository(makeRepo(failingTestRepo));
  const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo: repository.id,
    ref: repository.defaultBranch,
    mode: "code",
    prompt: "Fix the failing test [script:fix]",
  });
  expect(created.status).toBe(201);
  await page.goto(`${server.url}/tasks/${encodeURIComponent(created.body.task.id)}`);
  await page.locator('.round-end[data-end-status="completed"]').first().waitFor({ timeout: 60_000 });

  await page.getByLabel("Follow-up message").fill("Anything else?");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(".task-log .agent-message", { hasText: "Nothing else" }).waitFor({ timeout: 60_000 });

  const said = await page.locator(".task-log .user-message, .task-log .agent-message").allTextContents();
  expect(said).toEqual([
    "YouFix the failing test [script:fix]",
    "Fixed add.",
    "YouAnything else?",
    "Nothing else to change.",
  ]);
  // The prompt is shown once: as the round's message, not again above the log.
  expect(await page.locator(".task-log").getByText("Fix the failing test [script:fix]").count()).toBe(1);
});

it("on a multi-user server, names who sent each message", async () => {
  const fix = (turn: number) => (turn === 0 ? { text: "Looked." } : { text: "Looked again." });
  const multi = await startWebServer({ fix }, { auth: { mode: "multi", admin: ADMIN } });
  const signedIn = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  signedIn.setDefaultTimeout(10_000);
  try {
    const repository = await multi.addRepository(makeRepo(failingTestRepo));
    const created = await multi.api<{ task: { id: string } }>("/api/tasks", "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "What does add do? [script:fix]",
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const followUp = await multi.api(`/api/tasks/${taskId}/messages`, "POST", { text: "And sub?" });
    expect(followUp.status).toBe(201);
    await signedIn.goto(multi.url);
    await signInOnPage(signedIn, ADMIN);
    await signedIn.goto(`${multi.url}/tasks/${encodeURIComponent(taskId)}`);
    await signedIn.locator(".task-log .agent-message", { hasText: "Looked again." }).waitFor({ timeout: 60_000 });
    const authors = await signedIn.locator(".task-log .user-message-author").allTextContents();
    expect(authors).toEqual([ADMIN.email, ADMIN.email]);
  } finally {
    await signedIn.close();
    await multi.close();
  }
});
