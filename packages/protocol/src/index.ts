/**
 * Quire's wire contract: the event stream (Codex's shape plus Quire's additions) and every HTTP
 * API request and response, as zod schemas; the types are inferred from them. The server declares
 * its routes with these schemas (its OpenAPI document is generated from them), core writes its
 * events in this shape, and the web app takes its types from here. Depends on zod only.
 */
export * from "./constants.js";
export * from "./codex-events.js";
export * from "./events.js";
export * from "./review.js";
export * from "./api/common.js";
export * from "./api/environment-definition.js";
export * from "./api/forges.js";
export * from "./api/repositories.js";
export * from "./api/environments.js";
export * from "./api/tasks.js";
export * from "./api/accounts.js";
export * from "./api/usage.js";
export * from "./api/meta.js";
export * from "./api/mcp.js";
export * from "./api/webhooks.js";
export * from "./api/multipart.js";
