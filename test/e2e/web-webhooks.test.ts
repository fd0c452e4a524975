/**
 * The Webhooks settings tab, in Chromium against a real `quire serve --auth multi` and real
 * receivers: an admin adds a webhook (its signing secret shown once, with a copy button, gone
 * after Done and a reload), sees it listed by its URL's origin only, sends a test post (signed
 * with that secret; a failing receiver's answer is shown too) and deletes one after confirming.
 * A member is not offered the tab.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, signInOnPage } from "../helpers/web-accounts.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { readClipboard } from "../helpers/web-probes.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const MEMBER = { email: "mia@example.com", password: "mias-long-password" };

interface Receiver {
  origin: string;
  posts: { body: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<unknown>;
}

/** A receiver answering every post with `status`. */
async function startReceiver(status: number): Promise<Receiver> {
  const posts: Receiver["posts"] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      posts.push({ body, headers: request.headers });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, posts, close: () => new Promise((resolve) => server.close(resolve)) };
}

let working: Receiver;
let failing: Receiver;
let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  working = await startReceiver(204);
  failing = await startReceiver(500);
  const allowed = [working, failing].map((receiver) => `"${new URL(receiver.origin).host}"`).join(", ");
  server = await startWebServer(
    {},
    { auth: { mode: "multi", admin: ADMIN }, config: `[outbound]\nallow_private = [${allowed}]\n` },
  );
  const added = await server.api("/api/workspaces/local/members", "POST", { ...MEMBER, role: "member" });
  if (added.status !== 201) throw new Error(`could not add ${MEMBER.email}: ${JSON.stringify(added.body)}`);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await working?.close();
  await failing?.close();
});

const openWebhooks = async (): Promise<void> => {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Webhooks" }).click();
  await page.getByRole("heading", { name: "Webhooks", level: 2 }).waitFor();
};
const rowOf = (origin: string) => page.locator(".webhooks-table tbody tr", { hasText: origin });

describe("the Webhooks settings tab", () => {
  let secret: string;

  it("adds a webhook: its secret is shown once with a copy button; the list shows the URL's origin only", async () => {
    await page.goto(server.url);
    await signInOnPage(page, ADMIN);
    await openWebhooks();
    expect(new URL(page.url()).pathname).toBe("/settings/webhooks");
    await page.getByRole("paragraph").filter({ hasText: "No webhook yet." }).waitFor();

    const form = page.getByRole("form", { name: "New webhook" });
    await form.getByLabel("URL").fill(`${working.origin}/hooks/very-secret-path`);
    await form.getByLabel("Task failed").uncheck();
    await form.getByRole("button", { name: "Add webhook" }).click();
    const shown = page.getByRole("region", { name: "New webhook secret" });
    await shown.waitFor();
    expect(await shown.textContent()).toContain("you won't see it again");
    secret = await shown.getByLabel(`Signing secret for ${working.origin}`).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole("button", { name: "Copy secret" }).click();
    await expect.poll(() => readClipboard(page)).toBe(secret);

    const row = rowOf(working.origin);
    await row.waitFor();
    expect(await row.locator("th").textContent()).toBe(working.origin);
    expect(await row.locator("td").nth(0).textContent()).toBe("Task finished, Task delivered");
    expect(await row.locator("td").nth(1).textContent()).toBe("JSON");
    expect(await row.locator(".last-delivery").textContent()).toBe("never");
    expect(await page.content()).not.toContain("very-secret-path");

    // Gone once dismissed, and after a reload; the API never gives it again.
    await shown.getByRole("button", { name: "Done" }).click();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await rowOf(working.origin).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(JSON.stringify((await server.api("/api/webhooks", "GET")).body)).not.toContain(secret);
  }, 60_000);

  it("sends a test post signed with that secret, and shows how the receiver answered", async () => {
    await page.getByRole("button", { name: `Send a test to ${working.origin}` }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Test sent to ${working.origin}: HTTP 204.` })
      .waitFor();
    expect(working.posts).toHaveLength(1);
    const [post] = working.posts;
    expect(post!.headers["x-quire-event"]).toBe("webhook.test");
    expect(post!.headers["x-quire-signature"]).toBe(
      `sha256=${createHmac("sha256", secret).update(post!.body).digest("hex")}`,
    );
    const last = rowOf(working.origin).locator(".last-delivery > span");
    await expect.poll(() => last.getAttribute("data-status")).toBe("delivered");
    expect(await last.textContent()).toContain("HTTP 204");

    // A Slack-format webhook whose receiver fails: the failure is said, and listed.
    const form = page.getByRole("form", { name: "New webhook" });
    await form.getByLabel("URL").fill(`${failing.origin}/services/T0/B0/x`);
    await form.getByLabel(/Slack format/).check();
    await form.getByRole("button", { name: "Add webhook" }).click();
    await page.getByRole("region", { name: "New webhook secret" }).getByRole("button", { name: "Done" }).click();
    await rowOf(failing.origin).waitFor();
    expect(await rowOf(failing.origin).locator("td").nth(1).textContent()).toBe("Slack");
    await page.getByRole("button", { name: `Send a test to ${failing.origin}` }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: `Test to ${failing.origin} failed: the receiver answered HTTP 500.` })
      .waitFor();
    expect(JSON.parse(failing.posts[0]!.body)).toEqual({ text: "Quire test message: this webhook works." });
    const failed = rowOf(failing.origin).locator(".last-delivery > span");
    await expect.poll(() => failed.getAttribute("data-status")).toBe("failed");
  }, 60_000);

  it("deletes a webhook after asking; Keep leaves it", async () => {
    await page.getByRole("button", { name: `Delete ${working.origin}` }).click();
    const asking = page.getByRole("group", { name: `Confirm deleting ${working.origin}` });
    await asking.getByRole("button", { name: "Keep" }).click();
    expect(await rowOf(working.origin).count()).toBe(1);

    await page.getByRole("button", { name: `Delete ${working.origin}` }).click();
    await asking.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Deleted the webhook for ${working.origin}.` })
      .waitFor();
    await expect.poll(() => rowOf(working.origin).count()).toBe(0);
    expect(await rowOf(failing.origin).count()).toBe(1);
    const listed = (await server.api<{ webhooks: { urlHint: string }[] }>("/api/webhooks", "GET")).body.webhooks;
    expect(listed.map((webhook) => webhook.urlHint)).toEqual([failing.origin]);
  }, 60_000);

  it("is not offered to a member, and says why at its address", async () => {
    const memberContext = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const memberPage = await memberContext.newPage();
      memberPage.setDefaultTimeout(10_000);
      await memberPage.goto(server.url);
      await signInOnPage(memberPage, MEMBER);
      await memberPage.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Settings" }).click();
      const tabs = memberPage.getByRole("navigation", { name: "Settings" });
      await tabs.getByRole("link", { name: "API tokens" }).waitFor();
      expect(await tabs.getByRole("link", { name: "Webhooks" }).count()).toBe(0);
      await memberPage.goto(`${server.url}/settings/webhooks`);
      await memberPage.getByRole("alert").filter({ hasText: "Webhooks are for the workspace's admins" }).waitFor();
      expect(await memberPage.locator(".webhooks-table").count()).toBe(0);
    } finally {
      await memberContext.close();
    }
  }, 60_000);
});
