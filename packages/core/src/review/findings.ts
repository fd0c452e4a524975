// A review's findings and verdict: the wire contract's schema (@quire/protocol), re-exported for core's review mode.
export { reviewFindingSchema, reviewResultSchema, type ReviewFinding, type ReviewResult } from "@quire/protocol";
