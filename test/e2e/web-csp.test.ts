/**
 * The web app under the server's Content-Security-Policy (issue 11, item 8), in Chromium: every
 * main screen is loaded and used (sign-in, the task list, a Code task's timeline with ANSI-coloured
 * command output and highlighted Markdown, its diff in both layouts, a cited file highlighted, the
 * environments page with its script editor, usage, and each settings tab) and the browser must
 * report no CSP violation, neither as a `securitypolicyviolation` event nor on the console.
 */
import type { ScriptedReply } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ADMIN, composeTask, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";
import { shellCall } from "../helpers/web-scripts.js";

const colouredRun = "printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m \\033[38;5;208morange\\033[0m\\n'";

const script = (turn: number): ScriptedReply =>
  [
    { toolCalls: [shellCall(["sh", "-c", `${colouredRun}; node test.js`])] },
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    {
      text: [
        "Fixed `src/add.js:2`; the check is in `test.js:2`.",
        "",
        "```js",
        "export function add(a, b) {",
        "  return a + b;",
        "}",
        "```",
      ].join("\n"),
    },
  ][turn] ?? { text: "Done." };

/** The page's getComputedStyle, typed without the DOM library (tests have none). */
interface ComputedStyles {
  getComputedStyle(element: unknown): { color: string };
}

let server: WebServer;
let browser: Browser;
let page: Page;
const consoleViolations: string[] = [];

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ csp: script }, { auth: { mode: "multi", admin: ADMIN } });
  await server.addRepository(makeRepo(failingTestRepo));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.setDefaultTimeout(10_000);
  // Injected by the browser's debugging protocol, so the policy does not apply to this script itself.
  await page.addInitScript({
    content: `
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile + ":" + event.lineNumber);
      });`,
  });
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) consoleViolations.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const violations = async (): Promise<string[]> => [
  ...((await page.evaluate("window.cspViolations")) as string[]),
  ...consoleViolations,
];

describe("the web app under its Content-Security-Policy", () => {
  it("is served with the strict policy", async () => {
    const response = await page.goto(server.url);
    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain("unsafe-inline");
  });

  it("signs in and runs a Code task: timeline, coloured output, Markdown, diff and a cited file, without a violation", async () => {
    await signInOnPage(page, ADMIN);
    await composeTask(page, "Fix the failing test [script:csp]", "Code");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 60_000 });

    // The coloured output is coloured (through classes, not style attributes).
    const command = page.locator(".task-log .command").first();
    const header = command.locator(".command-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    const red = command.locator(".command-output span", { hasText: "red" }).first();
    await expect
      .poll(() => red.evaluate((node) => (globalThis as unknown as ComputedStyles).getComputedStyle(node).color))
      .toBe("rgb(170, 0, 0)");
    expect(await red.getAttribute("style")).toBeNull();
    expect(await page.locator(".task-log .agent-message pre code.hljs span").count()).toBeGreaterThan(0);

    const message = page.locator(".task-log .agent-message").last();
    await message.locator('button.citation[data-cite-file="src/add.js"]').click();
    await page.locator(".diff2html tr.cited-line").waitFor();
    await page.getByRole("button", { name: "Unified" }).click();
    await page.locator(".diff2html .d2h-file-side-diff").waitFor({ state: "detached" });
    await message.locator('button.citation[data-cite-file="test.js"]').click();
    await page.locator(".cited-file-view .hljs").first().waitFor();
    expect(await violations()).toEqual([]);
  }, 120_000);

  it("shows the task list, environments, usage and every settings tab without a violation", async () => {
    await page.reload();
    await page.locator(".task-row").first().waitFor();
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Environments" }).click();
    await page.getByRole("heading", { name: "Environments", level: 1 }).waitFor();
    await page.getByRole("button", { name: "+ New environment" }).click();
    await page.getByLabel("Setup script").fill('npm ci\necho "ready" # $HOME');
    await page.locator(".script-layer .hljs-string, .script-layer [class^='hljs-']").first().waitFor();
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    for (const tab of ["API tokens", "Members", "Webhooks", "Audit log", "Password"]) {
      await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
      await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: tab }).click();
      await page.getByRole("heading", { name: tab, level: 2 }).waitFor();
    }
    expect(await violations()).toEqual([]);
  }, 60_000);
});
