export * from "./api-client.js";
export * from "./event-stream.js";
export * from "./tasks-api.js";
