/**
 * The `route` label of a request in metrics and logs: the pattern of the route that answered it,
 * never the raw path (ids in paths would make a label per task, and paths may name secrets).
 */
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by a handler whose own pattern says nothing (the web app's catch-alls): its label. */
    routeLabel: string;
  }
}

/** Set by routes registered on a catch-all pattern so their requests share one fixed label. */
export function setRouteLabel(c: Context, label: string): void {
  c.set("routeLabel", label);
}

const isCatchAll = (pattern: string) => pattern === "*" || pattern === "/*";

/** Call after the handlers ran (c.req.routeIndex then points at the last one dispatched). */
export function routeLabel(c: Context): string {
  const explicit = c.get("routeLabel");
  if (explicit) return explicit;
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex];
  if (answered && answered.method !== "ALL" && !isCatchAll(answered.path)) return answered.path;
  // A middleware answered (e.g. a 401 from authentication): label the route the request was for.
  const intended = routes.find((route) => route.method !== "ALL" && !isCatchAll(route.path));
  return intended?.path ?? "unmatched";
}
