/** The web app's built files at `/`; unknown non-API paths get index.html (client-side routes). */
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

export function webAppRoutes(app: Hono, staticDir: string): void {
  // serveStatic takes a root relative to the working directory.
  const root = path.relative(process.cwd(), staticDir) || ".";
  app.use("*", async (c, next) => {
    if (c.req.path.startsWith("/api/") || c.req.method !== "GET") return next();
    return serveStatic({ root })(c, next);
  });
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    return serveStatic({ root, path: "index.html" })(c, next);
  });
}
