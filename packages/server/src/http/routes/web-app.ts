/** The web app's built files at `/`; unknown non-API paths get index.html (client-side routes). */
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import { setRouteLabel } from "../route-label.js";

export function webAppRoutes(app: Hono, staticDir: string): void {
  // serveStatic takes a root relative to the working directory.
  const root = path.relative(process.cwd(), staticDir) || ".";
  app.use("*", async (c, next) => {
    if (c.req.path.startsWith("/api/") || c.req.method !== "GET") return next();
    // One label for every file; the fallback below relabels what it answers.
    setRouteLabel(c, "/static");
    return serveStatic({ root })(c, next);
  });
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    setRouteLabel(c, "/*");
    return serveStatic({ root, path: "index.html" })(c, next);
  });
}
