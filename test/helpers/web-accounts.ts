/** Multi-user servers for the web app's tests: the bootstrap admin, plans.toml, signing in from the page. */
import type { ScriptedReply } from "@quire/testing";
import type { Page } from "playwright-core";

export const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

/**
 * A plan with every entitlement (it is not built in) and a price for the scripted model, so
 * tasks are admitted, counted and priced: 1 USD per million input tokens, 2 per million output.
 */
export function plansToml(tasksPer5h: number): string {
  return [
    'default_plan = "webtest"',
    "",
    "[plans.webtest]",
    'title = "Web test"',
    `tasks_per_5h = ${tasksPer5h}`,
    "tasks_per_week = 500",
    "concurrent_tasks = 10",
    "max_attempts = 4",
    'models = ["*"]',
    "max_task_minutes = 30",
    'sandbox_minutes_per_week = "unlimited"',
    'max_task_cost_usd = "unlimited"',
    "",
    "[[prices]]",
    'model = "scripted-model"',
    "input = 1",
    "output = 2",
    "",
  ].join("\n");
}

/** One model call of a million input and half a million output tokens: $2.00 at the price above. */
export const pricedAnswer = (): ScriptedReply => ({
  text: "It adds two numbers (or should).",
  usage: { input_tokens: 1_000_000, cached_input_tokens: 0, output_tokens: 500_000 },
});

export async function signInOnPage(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("signed-in-as").filter({ hasText: user.email }).waitFor();
}

/** Composes a task from the side panel and waits for its view; returns its id. */
export async function composeTask(page: Page, prompt: string, mode: "Ask" | "Code" = "Ask"): Promise<string> {
  await page.getByLabel("Branch").locator("option", { hasText: "main" }).waitFor({ state: "attached" });
  await page.getByLabel("Prompt").fill(prompt);
  const before = page.url();
  await page.getByRole("button", { name: mode, exact: true }).click();
  await page.waitForURL((url) => url.href !== before && /\/tasks\/[^/]+$/.test(url.pathname));
  const taskId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  await page.locator(`.task-view[data-task-id="${taskId}"]`).waitFor();
  return taskId;
}
