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
import { createdTokenResponse, createTokenBody, tokensResponse } from "@quire/protocol";
import { declareRoute } from "../contract.js";
import { denied, empty, error, ok } from "../responses.js";
import { newTokenValue } from "../../accounts/secrets.js";
import { HttpError } from "../../errors.js";
import { jsonBody, parseOr400 } from "../errors.js";

const DAY_MS = 24 * 3_600_000;

export function tokenRoutes(app: Hono, accounts: Accounts): void {
  const { repos } = accounts;

  const manager = (principal: Principal) => (principal.via === "token" ? assertScope(principal, "admin") : principal);

  const create = {
    method: "post",
    path: "/api/tokens",
    summary: "Create an API token; its value is in this response only",
    body: createTokenBody,
    responses: { 201: ok("{ token, value }", createdTokenResponse), 400: error("Invalid body."), ...denied },
  } as const;
  declareRoute(app, create, async (c) => {
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

  const list = {
    method: "get",
    path: "/api/tokens",
    summary: "API tokens of the workspace (yours; an admin's: everyone's)",
    responses: { 200: ok("{ tokens }", tokensResponse), ...denied },
  } as const;
  declareRoute(app, list, async (c) => {
    const principal = manager(principalOf(c));
    const everyone = roleAtLeast(principal.role, "admin") && principal.scopes.includes("admin");
    const tokens = await repos.apiTokens.list({
      workspaceId: principal.workspaceId,
      userId: everyone ? undefined : principal.userId,
    });
    return c.json({ tokens });
  });

  const revoke = {
    method: "delete",
    path: "/api/tokens/{id}",
    summary: "Revoke an API token",
    responses: { 204: empty("Revoked."), 404: error("No such token in the workspace."), ...denied },
  } as const;
  declareRoute(app, revoke, async (c) => {
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
