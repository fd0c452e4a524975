/**
 * Changing one's password in the web app, against a real `quire serve --auth multi`: a
 * confirmation that does not match and a wrong current password are refused in place (still
 * signed in); a right change says so, and after signing out only the new password signs in.
 * Its own server, so web-accounts.test.ts's ordered tests are not disturbed.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { focusedControl } from "../helpers/web-probes.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const DANA = { email: "dana@example.com", password: "danas-first-password" };
const DANA_NEW = "danas-second-password";

let server: WebServer;
let browser: Browser;
let page: Page;
/** Password changes the page sent, to tell a refusal in the page from the server's. */
let changeRequests = 0;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({}, { auth: { mode: "multi", admin: ADMIN } });
  const added = await server.api("/api/workspaces/local/members", "POST", { ...DANA, role: "member" });
  if (added.status !== 201) throw new Error(`could not add ${DANA.email}: ${JSON.stringify(added.body)}`);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.setDefaultTimeout(10_000);
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/api/auth/password")) changeRequests++;
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const fillPasswords = async (current: string, next: string, confirmation: string): Promise<void> => {
  await page.getByLabel("Current password", { exact: true }).fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Confirm new password", { exact: true }).fill(confirmation);
};

describe("changing the password", () => {
  it("offers a Password tab to a signed-in user; a mismatched confirmation and a wrong current password are refused in place", async () => {
    await page.goto(server.url);
    await signInOnPage(page, DANA);
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Password" }).click();
    await page.getByRole("heading", { name: "Password", level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/settings/password");

    await fillPasswords(DANA.password, DANA_NEW, "not-the-same-password");
    await page.getByRole("button", { name: "Change password" }).click();
    expect(await page.getByRole("alert").textContent()).toBe("The new password and its confirmation do not match.");
    const confirmation = page.getByLabel("Confirm new password", { exact: true });
    expect(await confirmation.getAttribute("aria-invalid")).toBe("true");
    expect((await focusedControl(page)).name).toBe("Confirm new password");
    expect(changeRequests).toBe(0);

    // A typo in the current password: the server's 400 is shown, and the session goes on.
    await fillPasswords("not-danas-password", DANA_NEW, DANA_NEW);
    await page.getByLabel("Confirm new password", { exact: true }).press("Enter");
    await page.getByRole("alert").filter({ hasText: "current password is wrong" }).waitFor();
    expect(changeRequests).toBe(1);
    expect(await page.getByRole("heading", { name: "Sign in" }).count()).toBe(0);
    await page.getByTestId("signed-in-as").filter({ hasText: DANA.email }).waitFor();
  }, 60_000);

  it("changes it: says so in place; after signing out the old password is refused and the new one works", async () => {
    await fillPasswords(DANA.password, DANA_NEW, DANA_NEW);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("status").filter({ hasText: "Password changed." }).waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.getByLabel("New password", { exact: true }).inputValue()).toBe("");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email", { exact: true }).fill(DANA.email);
    await page.getByLabel("Password", { exact: true }).fill(DANA.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    expect(await page.getByRole("alert").textContent()).toBe("wrong email or password");

    await signInOnPage(page, { email: DANA.email, password: DANA_NEW });
    expect(changeRequests).toBe(2);
  }, 60_000);
});
