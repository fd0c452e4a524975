/**
 * API tokens of the current workspace: created (the value is in that one response only),
 * listed, revoked. A token can grant only scopes its creator has, and a token managing tokens
 * needs the admin scope, so no credential can mint a stronger one.
 */
import type { Hono } from "hono";
import type { Accounts } from "../../accounts/accounts.js";
import { audit } from "../../accounts/audit.js";
import { assertScope, principalOf, type Principal } from "../../accounts/principal.js";
import { expandScopes, roleAtLeast } from "../../accounts/roles.js";
import { createTokenBody } from "../../accounts/schemas.js";
import { newTokenValue } from "../../accounts/secrets.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";

const DAY_MS = 24 * 3_600_000;

export function tokenRoutes(app: Hono, accounts: Accounts): void {
  const { repos } = accounts;

  const manager = (principal: Principal) => (principal.via === "token" ? assertScope(principal, "admin") : principal);

  app.post("/api/tokens", async (c) => {
    const principal = manager(principalOf(c));
    const body = parseOr400(createTokenBody, await jsonBody(c), "token");
    const beyond = expandScopes(body.scopes).filter((scope) => !principal.scopes.includes(scope));
    if (beyond.length > 0) {
      throw new HttpError(403, `forbidden: you cannot grant ${beyond.join(", ")} (your role is ${principal.role})`);
    }
    const { value, hash, prefix } = newTokenValue();
    const expiresAt = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * DAY_MS) : null;
    const token = await repos.apiTokens.create({
      userId: principal.userId,
      workspaceId: principal.workspaceId,
      name: body.name,
      tokenHash: hash,
      prefix,
      scopes: body.scopes,
      expiresAt,
    });
    await audit(c, "token.created", `token:${token.id}`, { name: token.name, scopes: token.scopes });
    // The only time the value leaves the server: it is not stored, so it cannot be shown again.
    return c.json({ token, value }, 201);
  });

  app.get("/api/tokens", async (c) => {
    const principal = manager(principalOf(c));
    const everyone = roleAtLeast(principal.role, "admin") && principal.scopes.includes("admin");
    const tokens = await repos.apiTokens.list({
      workspaceId: principal.workspaceId,
      userId: everyone ? undefined : principal.userId,
    });
    return c.json({ tokens });
  });

  app.delete("/api/tokens/:id", async (c) => {
    const principal = principalOf(c);
    const token = await repos.apiTokens.get(c.req.param("id"));
    // Another workspace's token, or (for non-admins) another user's, is as good as absent.
    const self = principal.tokenId === token?.id;
    if (!self) manager(principal);
    const mayRevoke = token?.userId === principal.userId || principal.scopes.includes("admin");
    if (!token || token.workspaceId !== principal.workspaceId || !mayRevoke) {
      throw new HttpError(404, `no token ${c.req.param("id")}`);
    }
    if (await repos.apiTokens.revoke(token.id)) {
      await audit(c, "token.revoked", `token:${token.id}`, { name: token.name, owner: token.userId });
    }
    return c.body(null, 204);
  });
}
