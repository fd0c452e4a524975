/**
 * Accounts in the web app, against a real `quire serve --auth multi` (the bootstrap admin from
 * QUIRE_ADMIN_EMAIL / QUIRE_ADMIN_PASSWORD, single sign-on against a test OpenID provider): sign-in
 * (a wrong password, then the right one), a task created with the CSRF token, API tokens (the
 * value shown once, revoked), members (invited: the link accepted in a second browser, where the
 * invitee chooses the password), the audit log, signing out, and signing in with SSO.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestOidcProvider, type TestOidcProvider } from "../../packages/server/testing/oidc-provider.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { ADMIN, composeTask, plansToml, pricedAnswer, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { readClipboard } from "../helpers/web-probes.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const BOB = { email: "bob@example.com", password: "bobs-long-password" };

let provider: TestOidcProvider;
let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  provider = await startTestOidcProvider();
  // The provider vouches for the admin's email, so single sign-on links to that user.
  provider.nextUser = { sub: "admin-at-provider", email: ADMIN.email, email_verified: true };
  server = await startWebServer(
    {
      priced: pricedAnswer,
      patch: (turn) =>
        turn === 0
          ? { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] }
          : { text: "Fixed add." },
    },
    {
      auth: { mode: "multi", admin: ADMIN },
      env: {
        QUIRE_OIDC_ISSUER: provider.issuer,
        QUIRE_OIDC_CLIENT_ID: provider.clientId,
        QUIRE_OIDC_CLIENT_SECRET: provider.clientSecret,
      },
      plans: plansToml(50),
    },
  );
  await server.addRepository(makeRepo(failingTestRepo));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await provider?.close();
});

const openSettings = async (tab: "API tokens" | "Members" | "Audit log"): Promise<void> => {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: tab }).click();
  await page.getByRole("heading", { name: tab, level: 2 }).waitFor();
};

describe("signing in", () => {
  it("shows a stranger the sign-in page, not the app; a wrong password is refused there; the right one opens the app", async () => {
    await page.goto(server.url);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByLabel("Prompt").count()).toBe(0);
    expect(await page.getByRole("link", { name: "Sign in with SSO" }).getAttribute("href")).toBe(
      "/api/auth/oidc/start?returnTo=%2F",
    );

    await page.getByLabel("Email", { exact: true }).fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    expect(await page.getByRole("alert").textContent()).toBe("wrong email or password");
    expect(await page.getByLabel("Prompt").count()).toBe(0);

    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByTestId("signed-in-as").filter({ hasText: ADMIN.email }).waitFor();
    await page.getByLabel("Prompt").waitFor();
    expect(await page.getByLabel("Workspace", { exact: true }).locator("option:checked").textContent()).toBe(
      "Default (owner)",
    );
  }, 60_000);

  it("creates a task while signed in: the request carries the session's CSRF token", async () => {
    const posted = page.waitForRequest(
      (request) => request.method() === "POST" && request.url().endsWith("/api/tasks"),
    );
    await composeTask(page, "[script:priced] What does add do?");
    const csrfCookie = (await context.cookies(server.url)).find((cookie) => cookie.name === "quire_csrf");
    expect(csrfCookie?.value).toMatch(/.{20,}/);
    expect((await posted).headers()["x-csrf-token"]).toBe(csrfCookie!.value);
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
  }, 60_000);
});

describe("settings", () => {
  let tokenValue: string;

  it("creates an API token with scopes: its value is shown once, with a copy button, and works", async () => {
    await openSettings("API tokens");
    await page.getByLabel("Name", { exact: true }).fill("ci");
    await page.getByLabel("tasks:write").check();
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByRole("region", { name: "New token value" });
    await shown.waitFor();
    expect(await shown.textContent()).toContain("you won't see it again");
    tokenValue = await shown.getByLabel("Value of ci").inputValue();
    expect(tokenValue).toMatch(/^quire_/);
    await shown.getByRole("button", { name: "Copy token" }).click();
    await expect.poll(() => readClipboard(page)).toBe(tokenValue);

    const asToken = await fetch(`${server.url}/api/tasks`, { headers: { authorization: `Bearer ${tokenValue}` } });
    expect(asToken.status).toBe(200);

    const row = page.locator(".tokens-table tbody tr", { hasText: "ci" });
    expect(await row.getAttribute("data-status")).toBe("active");
    expect(await row.locator("td").nth(0).textContent()).toBe(`${tokenValue.slice(0, 10)}…`);
    expect(await row.locator("td").nth(1).textContent()).toBe("tasks:read, tasks:write");

    // Gone once dismissed, and after a reload; the API never gives it again.
    await shown.getByRole("button", { name: "Done" }).click();
    expect(await page.content()).not.toContain(tokenValue);
    await page.reload();
    await page.locator(".tokens-table tbody tr", { hasText: "ci" }).waitFor();
    expect(await page.content()).not.toContain(tokenValue);
    expect(JSON.stringify((await server.api("/api/tokens", "GET")).body)).not.toContain(tokenValue);
  }, 60_000);

  it("gives a curl apply command that sends the API token from QUIRE_TOKEN, and applies the diff with it", async () => {
    await page.goto(server.url);
    const taskId = await composeTask(page, "[script:patch] Fix add", "Code");
    await page.locator('.round-end[data-end-status="completed"]').waitFor({ timeout: 30_000 });
    const curl = await page.getByLabel("Apply with curl").inputValue();
    expect(curl).toMatch(
      new RegExp(
        `^curl -sf -H "Authorization: Bearer \\$QUIRE_TOKEN" '${server.url}/api/tasks/${taskId}/diff\\?attempt=[^']+' \\| git apply$`,
      ),
    );
    expect(curl).not.toContain(tokenValue);

    // Without a token the server refuses, curl fails the pipe, and the checkout is untouched.
    const withoutToken = makeRepo(failingTestRepo);
    const refused = spawnSync("sh", ["-c", curl], { cwd: withoutToken, env: { ...process.env, QUIRE_TOKEN: "" } });
    expect(refused.status).not.toBe(0);
    expect(readFileSync(path.join(withoutToken, "src/add.js"), "utf8")).toContain("return a - b;");
    // With one, the diff applies.
    const withToken = makeRepo(failingTestRepo);
    execFileSync("sh", ["-c", curl], {
      cwd: withToken,
      env: { ...process.env, QUIRE_TOKEN: tokenValue },
    });
    expect(readFileSync(path.join(withToken, "src/add.js"), "utf8")).toContain("return a + b;");
  }, 60_000);

  it("revokes a token after asking: it shows as revoked and no longer works", async () => {
    await openSettings("API tokens");
    await page.getByRole("button", { name: "Revoke ci" }).click();
    await page.getByRole("group", { name: "Confirm revoking ci" }).getByRole("button", { name: "Revoke" }).click();
    const row = page.locator(".tokens-table tbody tr", { hasText: "ci" });
    await expect.poll(() => row.getAttribute("data-status")).toBe("revoked");
    expect(await page.getByRole("button", { name: "Revoke ci" }).count()).toBe(0);
    const asToken = await fetch(`${server.url}/api/tasks`, { headers: { authorization: `Bearer ${tokenValue}` } });
    expect(asToken.status).toBe(401);
  }, 60_000);

  it("invites a member: the link is shown once; Bob opens it, chooses his own password and joins; then his role changes and he is removed", async () => {
    await openSettings("Members");
    const form = page.getByRole("form", { name: "Add a member" });
    await form.getByLabel("Email").fill(BOB.email);
    await form.getByLabel("Role").selectOption("member");
    await form.getByRole("button", { name: "Add member" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Invited ${BOB.email}.` })
      .waitFor();
    const link = await page.getByLabel(`Invitation link for ${BOB.email}`).inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/invitations/accept#token=quire_invite_[\\w-]{43}$`));
    await page.getByRole("table", { name: "Open invitations" }).getByText(BOB.email).waitFor();
    await page.getByRole("region", { name: "Invitation link" }).getByRole("button", { name: "Done" }).click();
    expect(await page.content()).not.toContain(link);

    // Bob, in a browser of his own, opens the link: he chooses his password; nobody else did.
    const bobsContext = await browser.newContext();
    const invitee = await bobsContext.newPage();
    invitee.setDefaultTimeout(10_000);
    await invitee.goto(link);
    await invitee.getByRole("heading", { name: "Accept invitation" }).waitFor();
    expect(await invitee.getByTestId("invitation-summary").textContent()).toBe(
      `You are invited to Default as member, as ${BOB.email}.`,
    );
    expect(new URL(invitee.url()).hash).toBe("");
    await invitee.getByLabel("Choose a password").fill(BOB.password);
    await invitee.getByLabel("Repeat the password").fill("not the same password");
    await invitee.getByRole("button", { name: "Create account and join" }).click();
    expect(await invitee.getByRole("alert").textContent()).toBe("The two passwords differ.");
    await invitee.getByLabel("Repeat the password").fill(BOB.password);
    await invitee.getByRole("button", { name: "Create account and join" }).click();
    await invitee.getByTestId("signed-in-as").filter({ hasText: BOB.email }).waitFor();
    await invitee.getByLabel("Prompt").waitFor();
    // The link is spent.
    await invitee.goto(link);
    expect(await invitee.getByRole("alert").textContent()).toMatch(/not valid: it was already used/);
    await bobsContext.close();

    await page.reload();
    await page.getByRole("heading", { name: "Members", level: 2 }).waitFor();
    await page.getByLabel(`Role of ${BOB.email}`).waitFor();
    expect(await page.getByRole("table", { name: "Open invitations" }).count()).toBe(0);
    const role = page.getByLabel(`Role of ${BOB.email}`);
    expect(await role.inputValue()).toBe("member");

    await role.selectOption("viewer");
    await page
      .getByRole("status")
      .filter({ hasText: `${BOB.email} is now viewer.` })
      .waitFor();
    // Bob signs in elsewhere: as a viewer he has no audit log to read.
    const bobsPage = await browser.newPage();
    await bobsPage.goto(server.url);
    await signInOnPage(bobsPage, BOB);
    await bobsPage.getByRole("link", { name: "Settings" }).click();
    await bobsPage.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).waitFor();
    expect(await bobsPage.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await bobsPage.close();

    await page.getByRole("button", { name: `Remove ${BOB.email}` }).click();
    await page
      .getByRole("group", { name: `Confirm removing ${BOB.email}` })
      .getByRole("button", { name: "Remove" })
      .click();
    await page
      .getByRole("status")
      .filter({ hasText: `Removed ${BOB.email}.` })
      .waitFor();
    await expect.poll(() => page.locator(".members-table tbody tr").count()).toBe(1);
  }, 60_000);

  it("lists the audit log newest first, a page at a time, filtered by action", async () => {
    // Enough entries for more than one page (25).
    for (let index = 0; index < 20; index++) {
      const created = await server.api("/api/tokens", "POST", { name: `bulk-${index}`, scopes: ["tasks:read"] });
      expect(created.status).toBe(201);
    }
    await openSettings("Audit log");
    const rows = page.locator(".audit-table tbody tr");
    await expect.poll(() => rows.count()).toBe(25);
    const times = await rows
      .locator("time")
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime")!));
    expect([...times].sort().reverse()).toEqual(times);
    expect(await rows.first().getAttribute("data-action")).toBe("token.created");

    await page.getByRole("button", { name: "Older entries" }).click();
    await expect.poll(async () => (await rows.count()) > 25).toBe(true);
    const actions = await rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-action")));
    expect(actions).toContain("task.created");
    expect(actions).toContain("token.revoked");
    expect(actions).toContain("invitation.created");
    expect(actions).toContain("invitation.accepted");
    expect(actions).toContain("auth.login_failed");
    const ids = await rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-id")));
    expect(new Set(ids).size).toBe(ids.length);

    await page.getByLabel("Action").selectOption("task.created");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().getAttribute("data-action")).toBe("task.created");
    expect(await rows.first().textContent()).toContain(ADMIN.email);
    await page.getByLabel("Action").selectOption("token.created");
    await expect.poll(() => rows.count()).toBe(21);
    expect(await page.getByRole("button", { name: "Older entries" }).count()).toBe(0);
  }, 60_000);
});

describe("signing out and single sign-on", () => {
  it("signs out: the sign-in page shows, also after a reload", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByRole("status").textContent()).toBe("You are signed out.");
    expect((await context.cookies(server.url)).map((cookie) => cookie.name)).not.toContain("quire_session");
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByLabel("Prompt").count()).toBe(0);
  }, 60_000);

  it("signs in with SSO through the provider, and comes back to the page it left", async () => {
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.getByTestId("signed-in-as").filter({ hasText: ADMIN.email }).waitFor();
    // Signed out on the audit log, back on the audit log.
    expect(new URL(page.url()).pathname).toBe("/settings/audit");
    await page.getByRole("heading", { name: "Audit log", level: 2 }).waitFor();
    await page.locator(".task-row", { hasText: "What does add do?" }).waitFor();
    expect(provider.tokenRequests).toHaveLength(1);
  }, 60_000);

  it("shows sign-in again when the session ends under the app (any 401)", async () => {
    await context.clearCookies();
    // The task list polls every 2 s; its 401 is enough.
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByRole("status").textContent()).toBe("Your session has ended. Sign in again.");
  }, 60_000);
});
