// The public API of @quire/core: the agent as a library, with no server and no database.

export * from "./agent/conversation.js";
export * from "./agent/loop.js";
export * from "./config/index.js";
export * from "./environments/index.js";
export * from "./events.js";
export * from "./instructions/index.js";
export * from "./models/index.js";
export * from "./models/types.js";
export * from "./patch/index.js";
export * from "./host-git.js";
export * from "./paths.js";
export * from "./sandbox/index.js";
export * from "./sandbox/types.js";
export * from "./tasks/git.js";
export * from "./tasks/run-task.js";
export * from "./tasks/store.js";
export * from "./tasks/workspace.js";
export * from "./tools/types.js";
export * from "./tasks/prepare.js";
export * from "./tasks/gc.js";
export * from "./environments/snapshot.js";
export * from "./environments/overlay.js";
export * from "./environments/setup.js";
export * from "./network/index.js";
export * from "./verify/index.js";
export * from "./review/findings.js";
