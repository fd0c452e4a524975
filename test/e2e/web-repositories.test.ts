/**
 * Managing repositories from the composer's picker against a real `quire serve`: the same
 * repository is not added twice, a repository is renamed, and removed after a confirmation.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let browser: Browser;
let page: Page;
let alphaPath: string;
let alphaId: string;
let betaId: string;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({});
  alphaPath = makeRepo({ "a.txt": "a\n" });
  alphaId = (await server.addRepository(alphaPath, "alpha")).id;
  betaId = (await server.addRepository(makeRepo({ "b.txt": "b\n" }), "beta")).id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const listed = async (): Promise<{ id: string; name: string }[]> =>
  (await server.api<{ repositories: { id: string; name: string }[] }>("/api/repositories", "GET")).body.repositories;
const picker = () => page.getByRole("combobox", { name: "Repository", exact: true });

describe("repositories in the composer's picker", () => {
  it("refuses to add a repository that is already there, naming the existing one", async () => {
    await page.goto(server.url);
    await page.getByRole("button", { name: "+ Repo" }).click();
    await page.getByLabel("Repository path or URL").fill(`file://${alphaPath}`);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText(/already registered as "alpha"/).waitFor();
    expect((await listed()).map((repository) => repository.name)).toEqual(["alpha", "beta"]);
    await page.getByRole("button", { name: "Cancel" }).click();
  });

  it("renames the chosen repository", async () => {
    await picker().selectOption(alphaId);
    await page.getByRole("button", { name: "Manage repository" }).click();
    const form = page.getByRole("form", { name: "Manage repository" });
    await form.getByLabel("New repository name").fill("alpha-service");
    await form.getByRole("button", { name: "Rename" }).click();
    await picker().getByRole("option", { name: "alpha-service" }).waitFor({ state: "attached" });
    expect(await picker().inputValue()).toBe(alphaId);
    expect((await listed()).find((repository) => repository.id === alphaId)?.name).toBe("alpha-service");
  });

  it("removes the chosen repository after a confirmation, and picks another", async () => {
    const form = page.getByRole("form", { name: "Manage repository" });
    await form.getByRole("button", { name: "Remove alpha-service" }).click();
    // Nothing happens before the confirmation.
    expect((await listed()).map((repository) => repository.id)).toContain(alphaId);
    await page
      .getByRole("group", { name: "Confirm removing alpha-service" })
      .getByRole("button", { name: "Remove" })
      .click();
    await picker().getByRole("option", { name: "alpha-service" }).waitFor({ state: "detached" });
    expect(await picker().inputValue()).toBe(betaId);
    expect((await listed()).map((repository) => repository.id)).toEqual([betaId]);
    expect(await page.getByRole("form", { name: "Manage repository" }).count()).toBe(0);
  });
});
