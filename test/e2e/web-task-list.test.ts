/**
 * The side panel's task list in Chromium, against a real `quire serve`: more tasks than one page
 * (50), reached with "Load older tasks" through the server's cursor; searching by text,
 * repository, status and mode, which the server does; and an Ask task, which is answered, not
 * up for review: "Answered", no +0 −0, never under "To review".
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const MANY = 56;

const fixScript = (turn: number): ScriptedReply =>
  turn === 0 ? { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] } : { text: "Fixed add." };

let server: WebServer;
let browser: Browser;
let page: Page;
let first: string;
let second: string;
const created: { id: string; prompt: string; repo: string; mode: string }[] = [];

async function createTask(repo: string, mode: "ask" | "code", prompt: string): Promise<string> {
  const response = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
    repo,
    ref: "main",
    mode,
    prompt,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  created.push({ id: response.body.task.id, prompt, repo, mode });
  return response.body.task.id;
}

async function statusOf(id: string): Promise<string> {
  return (await server.api<{ task: { status: string } }>(`/api/tasks/${id}`, "GET")).body.task.status;
}

const rowIds = () =>
  page.locator(".task-list .task-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-task-id")));

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ answer: () => ({ text: "It adds two numbers." }), fix: fixScript });
  first = (await server.addRepository(makeRepo(failingTestRepo), "alpha")).id;
  second = (await server.addRepository(makeRepo(failingTestRepo), "beta")).id;
  // Many tasks, cancelled at once so they cost no sandbox: the list only needs them to exist.
  for (let index = 1; index <= MANY; index += 1) {
    const id = await createTask(
      index % 2 ? first : second,
      index % 3 ? "code" : "ask",
      `Chore number ${index} [script:answer]`,
    );
    await server.api(`/api/tasks/${id}/cancel`, "POST");
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the task list", () => {
  it("pages through every task with Load older tasks", async () => {
    await page.goto(server.url);
    await expect.poll(async () => (await rowIds()).length).toBe(50);
    await page.getByRole("button", { name: "Load older tasks" }).click();
    await expect.poll(async () => (await rowIds()).length).toBe(MANY);
    expect(await rowIds()).toEqual(created.map((task) => task.id).reverse());
    expect(await page.getByRole("button", { name: "Load older tasks" }).count()).toBe(0);
  }, 60_000);

  it("searches by text, repository, status and mode, on the server", async () => {
    await page.getByLabel("Search tasks", { exact: true }).fill("chore NUMBER 1");
    const expected = (filter: (task: (typeof created)[number]) => boolean) =>
      created
        .filter(filter)
        .map((task) => task.id)
        .reverse();
    const numberOne = (task: (typeof created)[number]) => /^Chore number 1\d* /.test(task.prompt);
    await expect.poll(rowIds).toEqual(expected(numberOne));

    await page.getByLabel("Repo filter").selectOption({ label: "beta" });
    await expect.poll(rowIds).toEqual(expected((task) => numberOne(task) && task.repo === second));

    await page.getByLabel("Mode filter").selectOption("ask");
    await expect
      .poll(rowIds)
      .toEqual(expected((task) => numberOne(task) && task.repo === second && task.mode === "ask"));

    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByLabel("Status filter").selectOption("completed");
    await expect.poll(rowIds).toEqual([]);
    await page.getByText("No tasks here.").waitFor();
    await page.getByLabel("Status filter").selectOption("cancelled");
    await expect.poll(async () => (await rowIds()).length).toBe(50);
    await page.getByRole("button", { name: "Clear" }).click();
    expect(await page.getByLabel("Search tasks", { exact: true }).inputValue()).toBe("");
  }, 60_000);

  it("shows an answered Ask task as Answered, without +0 −0, and keeps it out of To review", async () => {
    const ask = await createTask(first, "ask", "What does add do? [script:answer]");
    const code = await createTask(first, "code", "Fix add [script:fix]");
    await expect.poll(() => statusOf(ask), { timeout: 60_000 }).toBe("completed");
    await expect.poll(() => statusOf(code), { timeout: 60_000 }).toBe("completed");

    const askRow = page.locator(`.task-row[data-task-id="${ask}"]`);
    await expect.poll(() => askRow.locator(".badge").textContent(), { timeout: 10_000 }).toBe("Answered");
    expect(await askRow.locator(".diff-stats").count()).toBe(0);
    const codeRow = page.locator(`.task-row[data-task-id="${code}"]`);
    await expect.poll(() => codeRow.locator(".diff-stats").textContent()).toBe("+1 −1");
    expect(await codeRow.locator(".diff-stats").getAttribute("aria-label")).toBe("1 line added, 1 line removed");

    await page.getByRole("tab", { name: "To review" }).click();
    await expect.poll(rowIds).toEqual([code]);

    await page.getByRole("tab", { name: "All" }).click();
    await askRow.click();
    await page.locator(`.task-view[data-task-id="${ask}"]`).waitFor();
    expect(await page.locator(".task-header .badge").first().textContent()).toBe("Answered");
    expect(await page.locator(".task-header .diff-stats").count()).toBe(0);
  }, 120_000);
});
