/**
 * Security headers (issue 11, item 8) on every kind of response, over real HTTP: JSON, errors
 * (401, 404, 400), the web app's index.html and assets, health and metrics. HSTS only over TLS,
 * which behind a proxy means one the operator said to trust.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MULTI_USER } from "../../testing/clients.js";
import { startTestApi, type TestApi } from "../../testing/api.js";

const PATHS = [
  "/healthz",
  "/metrics",
  "/api/openapi.json",
  "/api/tasks",
  "/api/auth/oidc/start",
  "/",
  "/tasks/some-task",
  "/assets/app.js",
];

describe("security headers", () => {
  let staticDir: string;
  let api: TestApi;
  let behindProxy: TestApi;

  beforeAll(async () => {
    staticDir = await mkdtemp(path.join(os.tmpdir(), "quire-web-"));
    await mkdir(path.join(staticDir, "assets"));
    await writeFile(path.join(staticDir, "index.html"), "<!doctype html><title>Quire</title>");
    await writeFile(path.join(staticDir, "assets/app.js"), "export {};");
    api = await startTestApi("sqlite", { auth: MULTI_USER, staticDir });
    behindProxy = await startTestApi("sqlite", { auth: MULTI_USER, staticDir, trustProxy: true });
  });
  afterAll(async () => {
    await api?.close();
    await behindProxy?.close();
    await rm(staticDir, { recursive: true, force: true });
  });

  it("sends a strict CSP and the other headers on every response, errors and files included", async () => {
    const statuses = new Set<number>();
    for (const pathname of PATHS) {
      const response = await fetch(`${api.url}${pathname}`);
      statuses.add(response.status);
      const header = (name: string) => response.headers.get(name);
      const csp = header("content-security-policy") ?? "";
      expect(csp, pathname).toContain("default-src 'self'");
      expect(csp, pathname).toContain("script-src 'self'");
      expect(csp, pathname).toContain("style-src 'self'");
      expect(csp, pathname).toContain("frame-ancestors 'none'");
      expect(csp, pathname).toContain("object-src 'none'");
      expect(csp, pathname).toContain("base-uri 'none'");
      expect(csp, pathname).not.toContain("unsafe");
      expect(header("x-content-type-options"), pathname).toBe("nosniff");
      expect(header("x-frame-options"), pathname).toBe("DENY");
      expect(header("referrer-policy"), pathname).toBe("strict-origin-when-cross-origin");
      expect(header("cross-origin-opener-policy"), pathname).toBe("same-origin");
      // Plain http: browsers ignore HSTS there, and it must not be sent.
      expect(header("strict-transport-security"), pathname).toBeNull();
    }
    expect([...statuses].sort()).toEqual([200, 401, 404]);
    const invalid = await fetch(`${api.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("x-frame-options")).toBe("DENY");
  });

  it("sends HSTS over TLS as a trusted proxy reports it, never on a client's say-so", async () => {
    const forwarded = { "x-forwarded-proto": "https" };
    expect((await fetch(`${api.url}/`, { headers: forwarded })).headers.get("strict-transport-security")).toBeNull();
    const proxied = await fetch(`${behindProxy.url}/api/openapi.json`, { headers: forwarded });
    expect(proxied.headers.get("strict-transport-security")).toBe("max-age=15552000; includeSubDomains");
    expect((await fetch(`${behindProxy.url}/`)).headers.get("strict-transport-security")).toBeNull();
    const plain = await fetch(`${behindProxy.url}/`, { headers: { "x-forwarded-proto": "http" } });
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});
