/** The audit log of the current workspace, newest first, for its admins and owners only. */
import type { Hono } from "hono";
import type { Accounts } from "../../accounts/accounts.js";
import { assertRole, assertScope, principalOf } from "../../accounts/principal.js";
import { auditPageResponse, auditQuery } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, error, ok } from "../responses.js";
import { HttpError } from "../../errors.js";
import { parseOr400 } from "../errors.js";

const DEFAULT_PAGE = 100;

export function auditRoutes(app: Hono, accounts: Accounts): void {
  const list = {
    method: "get",
    path: "/api/audit",
    summary: "The workspace's audit log, newest first (admins and owners)",
    query: auditQuery,
    responses: { 200: ok("{ entries, next }", auditPageResponse), 400: error("Invalid query."), ...denied },
  } as const;
  declareRoute(app, list, async (c) => {
    const principal = assertScope(assertRole(principalOf(c), "admin"), "admin");
    const query = parseOr400(auditQuery, c.req.query(), "query");
    const limit = query.limit ?? DEFAULT_PAGE;
    const entries = await accounts.repos.audit.list({
      workspaceId: principal.workspaceId,
      action: query.action,
      limit,
      before: query.before === undefined ? undefined : parseCursor(query.before),
    });
    const last = entries.at(-1);
    // A full page may have more after it; the cursor is the last entry's position.
    const next = entries.length === limit && last ? `${last.at}~${last.id}` : null;
    return c.json({ entries, next });
  });
}

function parseCursor(cursor: string): { at: string; id: string } {
  const [at, id, ...rest] = cursor.split("~");
  if (!at || !id || rest.length > 0) throw new HttpError(400, "invalid query: before: not a cursor from this API");
  return { at, id };
}
