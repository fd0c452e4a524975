/** The usage routes' part of the OpenAPI document (docs/plans-and-limits.md). */
import { USAGE_GROUPS } from "../storage/index.js";
import { error, ok, type JsonObject } from "./openapi-parts.js";

const usageQueryParams = [
  {
    name: "from",
    in: "query",
    schema: { type: "string" },
    description: "ISO 8601 date or time; default: 30 days before to.",
  },
  {
    name: "to",
    in: "query",
    schema: { type: "string" },
    description: "ISO 8601 date or time (exclusive); default: now.",
  },
  {
    name: "groupBy",
    in: "query",
    schema: { type: "string", enum: [...USAGE_GROUPS], default: "task" },
  },
];

/** Plans and usage (docs/plans-and-limits.md); the workspace is the caller's. */
export function usagePaths(): JsonObject {
  return {
    "/api/usage": {
      get: {
        summary: "The workspace's usage (tokens, model calls, sandbox time, cost) per task, user, workspace or model",
        parameters: usageQueryParams,
        responses: {
          "200": ok("{ workspaceId, from, to, groupBy, rows: [{ key, ... }], totals }"),
          "400": error("Invalid query."),
        },
      },
    },
    "/api/usage.csv": {
      get: {
        summary: "The same as CSV (RFC 4180), one row per group",
        parameters: usageQueryParams,
        responses: {
          "200": { description: "A CSV file.", content: { "text/csv": {} } },
          "400": error("Invalid query."),
        },
      },
    },
    "/api/usage/limits": {
      get: {
        summary: "Each limit of the workspace's plan with used, max (null: unlimited) and when it next goes down",
        responses: {
          "200": ok(
            "{ workspaceId, plan: { name, title }, limits: [{ limit, used, max, resetAt, windowSeconds }], entitlements }",
          ),
        },
      },
    },
  };
}
