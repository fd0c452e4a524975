/** Plans, rate limits, metering and pricing (docs/plans-and-limits.md). */
export * from "./admission.js";
export * from "./budget.js";
export * from "./config-source.js";
export * from "./config.js";
export * from "./csv.js";
export * from "./defaults.js";
export * from "./glob.js";
export * from "./http.js";
export * from "./limits-status.js";
export * from "./metering.js";
export * from "./plan-schema.js";
export * from "./pricing.js";
export * from "./usage-report.js";
export * from "./windows.js";
export * from "./workspace-plan.js";
export * from "./operator.js";
