/**
 * The environments page against a real `quire serve`: create an environment with a secret
 * (whose value is never shown or sent back again), edit its network access, see the server's
 * 400 next to the field it names, a taken name, and delete.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { api } from "../helpers/server.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const SECRET = "s3cret-value-do-not-show";
const NEW_SECRET = "second-s3cret-value";

interface StoredEnvironment {
  id: string;
  name: string;
  definition: Record<string, unknown> & { network?: Record<string, unknown>; limits?: Record<string, unknown> };
  secrets: { name: string; version: number }[];
}

let server: WebServer;
let browser: Browser;
let page: Page;
let repositoryId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({});
  repositoryId = (await server.addRepository(makeRepo(failingTestRepo))).id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function stored(): Promise<{ raw: string; environments: StoredEnvironment[] }> {
  const response = await fetch(`${server.url}/api/environments?repo=${repositoryId}`);
  const raw = await response.text();
  return { raw, environments: (JSON.parse(raw) as { environments: StoredEnvironment[] }).environments };
}

const editor = (): ReturnType<Page["locator"]> => page.locator("form.environment-editor");
const save = async (): Promise<void> => {
  await editor()
    .getByRole("button", { name: /^(Save changes|Create environment)$/ })
    .click();
};

describe("the environments page", () => {
  it("is reached from the side panel and creates an environment with a secret, never shown again", async () => {
    await page.goto(server.url);
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Environments" }).click();
    await page.waitForURL("**/environments");
    await page.getByRole("heading", { name: "Environments", level: 1 }).waitFor();
    // The repository list arrives after the heading: wait for the picker to settle on it.
    await expect
      .poll(() => page.getByLabel("Environments of repository", { exact: true }).inputValue())
      .toBe(repositoryId);
    // No environment yet: the new-environment form is open.
    await page.getByRole("form", { name: "New environment" }).waitFor();

    await page.getByLabel("Name", { exact: true }).fill("node-env");
    // The script editor: Tab indents (two spaces) instead of leaving the field.
    const setup = page.getByRole("textbox", { name: "Setup script" });
    await setup.click();
    await page.keyboard.type("if true; then");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.type("npm ci");
    await page.keyboard.press("Enter");
    await page.keyboard.type("fi");
    expect(await setup.inputValue()).toBe("if true; then\n  npm ci\nfi");
    expect(await editor().locator(".script-gutter").first().innerText()).toBe("1\n2\n3");

    await editor().getByRole("button", { name: "+ Add variable" }).click();
    await editor().getByLabel("Name of variable 1").fill("NODE_ENV");
    await editor().getByLabel("Value of variable 1").fill("test");
    await editor().getByRole("button", { name: "+ Add secret" }).click();
    await editor().getByLabel("Name of secret 1").fill("NPM_TOKEN");
    const value = editor().getByLabel("New value for NPM_TOKEN");
    expect(await value.getAttribute("type")).toBe("password");
    await value.fill(SECRET);
    await editor().getByRole("button", { name: "+ Add check" }).click();
    await editor().getByLabel("Check 1", { exact: true }).fill("node test.js");
    await save();

    await page.getByRole("status").filter({ hasText: "Created node-env." }).waitFor();
    await page.getByRole("form", { name: "Environment node-env" }).waitFor();
    const row = editor().locator('.secret-row[data-secret="NPM_TOKEN"]');
    await expect.poll(() => row.getByTestId("secret-state").textContent()).toMatch(/^stored · version 1/);
    // The input is cleared, and the value is nowhere: not in the page, not in the API's answers.
    expect(await editor().getByLabel("New value for NPM_TOKEN").inputValue()).toBe("");
    expect(await page.content()).not.toContain(SECRET);
    const { raw, environments } = await stored();
    expect(raw).not.toContain(SECRET);
    expect(environments).toHaveLength(1);
    expect(environments[0]!.definition).toEqual({
      setup: "if true; then\n  npm ci\nfi",
      variables: { NODE_ENV: "test" },
      secrets: ["NPM_TOKEN"],
      checks: ["node test.js"],
    });
    expect(environments[0]!.secrets).toMatchObject([{ name: "NPM_TOKEN", version: 1 }]);
    // The composer can pick it at once.
    await page.getByLabel("Environment", { exact: true }).locator("option", { hasText: "node-env" }).waitFor({
      state: "attached",
    });
  }, 60_000);

  it("replaces a secret's value write-only: a new version, the input cleared, still nothing shown", async () => {
    await editor().getByLabel("New value for NPM_TOKEN").fill(NEW_SECRET);
    await expect.poll(() => editor().locator(".editor-head .badge").textContent()).toBe("Unsaved changes");
    await save();
    const row = editor().locator('.secret-row[data-secret="NPM_TOKEN"]');
    await expect.poll(() => row.getByTestId("secret-state").textContent()).toMatch(/^stored · version 2/);
    expect(await editor().getByLabel("New value for NPM_TOKEN").inputValue()).toBe("");

    await page.reload();
    await page.getByRole("form", { name: "Environment node-env" }).waitFor();
    expect(await editor().getByLabel("New value for NPM_TOKEN").inputValue()).toBe("");
    await expect.poll(() => row.getByTestId("secret-state").textContent()).toMatch(/^stored · version 2/);
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(NEW_SECRET);
  }, 60_000);

  it("edits the agent's internet access: an allowlist with the preset and a domain, then off", async () => {
    const summary = editor().getByTestId("network-summary");
    expect(await summary.textContent()).toMatch(/^Agent internet access: not set here/);
    await editor()
      .getByRole("radio", { name: /^Allowlist/ })
      .check();
    await editor()
      .getByRole("checkbox", { name: /Package registries preset/ })
      .check();
    await editor().getByRole("button", { name: "+ Add domain" }).click();
    await editor().getByLabel("Domain 1", { exact: true }).fill("registry.example.com");
    expect(
      await editor()
        .getByRole("checkbox", { name: /Safe methods only/ })
        .isChecked(),
    ).toBe(true);
    expect(await summary.textContent()).toBe(
      "Agent internet access: allowlist (the package registries preset and 1 extra domain, safe methods only)",
    );
    await save();
    await page.getByRole("status").filter({ hasText: "Saved node-env." }).waitFor();
    let [environment] = (await stored()).environments;
    expect(environment!.definition.network).toEqual({
      mode: "allowlist",
      preset: true,
      domains: ["registry.example.com"],
    });

    await editor()
      .getByRole("checkbox", { name: /Safe methods only/ })
      .uncheck();
    expect(await summary.textContent()).toMatch(/all methods\)$/);
    await editor().getByRole("radio", { name: /^Off/ }).check();
    expect(await summary.textContent()).toBe("Agent internet access: off");
    await save();
    await expect.poll(async () => (await stored()).environments[0]!.definition.network?.mode).toBe("off");
    [environment] = (await stored()).environments;
    // The list says so too.
    await page.locator(".environment-list", { hasText: "network off" }).waitFor();
    expect(environment!.definition.network).toMatchObject({ mode: "off", methods: "all" });
  }, 60_000);

  it("shows the server's 400 next to the field it names, and saves nothing until it is fixed", async () => {
    const memory = editor().getByLabel("Memory per process (MB)");
    await memory.fill("0");
    await editor()
      .getByRole("radio", { name: /^Allowlist/ })
      .check();
    await editor().getByLabel("Domain 1", { exact: true }).fill("https://not-a-host/");
    await save();

    // (`has` is matched inside each candidate, so it starts from the page, not from the form.)
    const memoryError = editor()
      .locator(".number-field", { has: page.getByLabel("Memory per process (MB)") })
      .locator(".field-error");
    await memoryError.waitFor();
    expect(await memoryError.textContent()).toMatch(/too small/i);
    expect(await memory.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await memory.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(await memoryError.textContent());
    const domainError = editor()
      .locator(".list-row", { has: page.getByLabel("Domain 1", { exact: true }) })
      .locator(".field-error");
    expect(await domainError.textContent()).toContain("host name");
    expect(await editor().locator(".form-error").textContent()).toContain("see the messages next to them");
    // Nothing changed on the server.
    expect((await stored()).environments[0]!.definition.limits).toBeUndefined();

    // A value that is not a number at all: said in words, not in zod's "expected number, received string".
    await memory.fill("2 GB");
    await save();
    await expect.poll(() => memoryError.textContent()).toBe("must be a number");
    expect(await editor().textContent()).not.toMatch(/expected \w+, received/i);

    await memory.fill("2048");
    await editor().getByLabel("Domain 1", { exact: true }).fill("registry.example.com");
    await save();
    await page.getByRole("status").filter({ hasText: "Saved node-env." }).waitFor();
    expect(await editor().locator(".field-error").count()).toBe(0);
    expect((await stored()).environments[0]!.definition.limits).toEqual({ memory_mb: 2048 });
  }, 60_000);

  it("says a name is taken next to the name, and deletes an environment", async () => {
    await page.getByRole("button", { name: "+ New environment" }).click();
    await page.getByLabel("Name", { exact: true }).fill("node-env");
    await save();
    const nameError = editor().locator(".name-field .field-error");
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain("already has an environment named node-env");
    expect((await stored()).environments).toHaveLength(1);

    await page
      .locator(".environment-list")
      .getByRole("button", { name: /^node-env/ })
      .click();
    await editor().getByRole("button", { name: "Delete environment" }).click();
    await editor().getByRole("group", { name: "Confirm deletion" }).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted node-env." }).waitFor();
    await page.getByText("No environment yet.").waitFor();
    expect((await stored()).environments).toEqual([]);
  }, 60_000);
});

describe("the environments API as the page uses it", () => {
  it("keeps secrets write-only: no route answers with a value", async () => {
    const created = await api<{ environment: { id: string } }>(`${server.url}/api/environments`, "POST", {
      repo: repositoryId,
      name: "api-check",
      definition: { secrets: ["TOKEN"] },
    });
    const id = created.body.environment.id;
    const set = await api(`${server.url}/api/environments/${id}/secrets/TOKEN`, "PUT", { value: SECRET });
    expect(JSON.stringify(set.body)).not.toContain(SECRET);
    const one = await fetch(`${server.url}/api/environments/${id}`);
    expect(await one.text()).not.toContain(SECRET);
  });
});
