export * from "./app.js";
export * from "../events/event-hub.js";
export * from "../metrics.js";
export { declaredRoutes, type RouteSpec } from "./contract.js";
export { openApiDocument } from "./openapi-document.js";
export * from "./server.js";
export { isFinalEvent } from "./sse.js";
