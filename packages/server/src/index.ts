export * from "./storage/index.js";
export * from "./http/index.js";
