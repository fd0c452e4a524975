/**
 * The usage page on a single-user server with no plans.toml, where no limit is in force: it
 * must not show a plan (the built-in Free plan's "0 / 10 attempts", "models *mini*…") but the
 * usage itself, whose numbers are those of `GET /api/usage`.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

interface Totals {
  attempts: number;
  tasks: number;
}

let server: WebServer;
let browser: Browser;
let page: Page;
let repositoryId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ answer: () => ({ text: "It adds." }) });
  repositoryId = (await server.addRepository(makeRepo(failingTestRepo))).id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function settled(taskId: string): Promise<void> {
  await expect
    .poll(
      async () => (await server.api<{ task: { status: string } }>(`/api/tasks/${taskId}`, "GET")).body.task.status,
      {
        timeout: 60_000,
      },
    )
    .toBe("completed");
}

describe("the usage page when no limits are in force", () => {
  it("shows what was used, as the API counts it, and no plan, limits or allowed models", async () => {
    const limits = await server.api<{ enforced: boolean }>("/api/usage/limits", "GET");
    expect(limits.body.enforced).toBe(false);
    // Eight attempts of a model the built-in Free plan would not allow (it allows *mini* models).
    for (const attempts of [3, 3, 2]) {
      const created = await server.api<{ task: { id: string } }>("/api/tasks", "POST", {
        repo: repositoryId,
        ref: "main",
        mode: "ask",
        prompt: "What does add do? [script:answer]",
        attempts,
      });
      expect(created.status).toBe(201);
      await settled(created.body.task.id);
    }

    await page.goto(`${server.url}/usage`);
    const recent = page.getByTestId("recent-usage");
    await recent.waitFor();
    const usage = await server.api<{ totals: Totals }>(
      `/api/usage?from=${encodeURIComponent(new Date(Date.now() - 5 * 3600_000).toISOString())}`,
      "GET",
    );
    expect(usage.body.totals.attempts).toBe(8);
    await expect
      .poll(() => recent.locator('[data-window="5h"] [data-testid="recent-attempts"]').textContent())
      .toBe(`${usage.body.totals.attempts} attempts`);
    expect(await recent.locator('[data-window="week"] [data-testid="recent-attempts"]').textContent()).toBe(
      "8 attempts",
    );
    expect(await recent.locator('[data-window="5h"] [data-testid="recent-tasks"]').textContent()).toBe(
      `${usage.body.totals.tasks} tasks`,
    );

    // The period table below agrees with the API too.
    const period = await server.api<{ totals: Totals }>("/api/usage", "GET");
    await expect
      .poll(() => page.locator(".usage-table tfoot [data-testid='usage-attempts']").textContent())
      .toBe(String(period.body.totals.attempts));

    const text = (await page.locator(".usage-page").textContent()) ?? "";
    expect(text).toContain("No limits are in force");
    expect(text).not.toContain("Free plan");
    expect(text).not.toMatch(/\d+ \/ \d+ attempts/);
    expect(text).not.toContain("*mini*");
    expect(await page.getByRole("meter").count()).toBe(0);
  }, 120_000);
});
