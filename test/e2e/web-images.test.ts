/**
 * Images in the web app (issue 15, item 3): attached in the composer (file picker, paste) with
 * thumbnails, sent with the task, shown in the timeline, and reaching the model. Chromium against
 * a real `quire serve`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ONE_PIXEL_PNG, responsesBody } from "@quire/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeRepo } from "../helpers/repo.js";
import { ensureWebAppBuilt, launchChromium } from "../helpers/web-app.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebAppBuilt();
  server = await startWebServer({ look: (turn) => ({ text: turn === 0 ? "A pixel." : "Another pixel." }) });
  await server.addRepository(makeRepo({ "README.md": "# tiny\n" }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it("attaches an image in the composer, shows its thumbnail, sends it, and shows it in the timeline", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-web-images-"));
  const file = path.join(dir, "screenshot.png");
  writeFileSync(file, ONE_PIXEL_PNG);

  await page.goto(server.url);
  await page.getByLabel("Repository").locator("option", { hasText: "tiny" }).waitFor({ state: "attached" });
  await expect.poll(() => page.getByLabel("Branch").inputValue()).toBe("main");
  const composer = page.getByRole("region", { name: "New task" });
  await composer.getByLabel("Attach images").setInputFiles(file);
  const thumbnail = composer.locator(".attachment img");
  await thumbnail.waitFor();
  expect(await thumbnail.getAttribute("alt")).toBe("screenshot.png");
  expect(await thumbnail.getAttribute("src")).toBe(`data:image/png;base64,${ONE_PIXEL_PNG.toString("base64")}`);

  await page.getByLabel("Prompt").fill("What is in this screenshot? [script:look]");
  await composer.getByRole("button", { name: "Ask" }).click();
  await page.waitForURL(/\/tasks\/[^/]+$/);
  await page.locator('.round-end[data-end-status="completed"]').first().waitFor({ timeout: 60_000 });
  // The composer is empty again, thumbnails included.
  expect(await composer.locator(".attachment").count()).toBe(0);

  const shown = page.locator(".task-log .user-message .message-image img");
  await shown.waitFor();
  expect(await shown.getAttribute("src")).toBe(`data:image/png;base64,${ONE_PIXEL_PNG.toString("base64")}`);
  const sent = server.model.requests.find((request) => request.rawText.includes("[script:look]"));
  const input = responsesBody(sent!).input as { role?: string; content?: { type: string }[] }[];
  expect(input.flatMap((item) => item.content ?? []).filter((part) => part.type === "input_image")).toHaveLength(1);

  // The follow-up box takes images too; the server refuses one that is not an image, in words.
  const followUp = page.getByRole("form", { name: "Follow-up" });
  await followUp.getByLabel("Attach images").setInputFiles({
    name: "notes.png",
    mimeType: "image/png",
    buffer: Buffer.from("just text"),
  });
  await followUp.locator(".attachment img").waitFor();
  await page.getByLabel("Follow-up message").fill("And this?");
  await followUp.getByRole("button", { name: "Send" }).click();
  await followUp.getByText("images.0: not a PNG, JPEG, WebP or GIF image").waitFor();
});
