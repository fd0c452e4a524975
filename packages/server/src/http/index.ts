export * from "./app.js";
export * from "../events/event-hub.js";
export * from "../metrics.js";
export * from "./openapi.js";
export * from "./server.js";
export { isFinalEvent } from "./sse.js";
