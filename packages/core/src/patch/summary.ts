import type { AppliedChange } from "./types.js";

/**
 * One line per change, grouped as Codex prints them (added, then modified, then deleted):
 * `A path`, `M path`, `R old -> new` for a move, `D path`.
 */
export function summarizeChanges(changes: readonly AppliedChange[]): string {
  const added = changes.filter((change) => change.kind === "add").map((change) => `A ${change.path}`);
  const modified = changes
    .filter((change) => change.kind === "update")
    .map((change) => (change.movePath === undefined ? `M ${change.path}` : `R ${change.path} -> ${change.movePath}`));
  const deleted = changes.filter((change) => change.kind === "delete").map((change) => `D ${change.path}`);
  return [...added, ...modified, ...deleted].join("\n");
}
