export * from "./http/index.js";
export * from "./storage/index.js";
export * from "./service.js";
export type { RunSettings, WorkerContext } from "./worker/context.js";
export { WorkerPool } from "./worker/pool.js";
export * from "./delivery/index.js";
export { assignWorkspacePlan } from "./plans/index.js";
export { localSourceRoots, type LocalSourcePolicy } from "./sources/local-source-policy.js";
export { rankAttempts } from "./tasks/ranking.js";
