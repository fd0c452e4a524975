/**
 * What `quire env check` says about verification: the checks the environment declares, else the
 * test command the repository's AGENTS.md names (as the server's verification reads it), else none.
 */
import os from "node:os";
import path from "node:path";
import { checksFor, loadAgentsInstructions, loadConfig, type ResolvedEnvironment } from "@quire/core";

export interface VerificationChecks {
  checks: string[];
  from: "environment" | "AGENTS.md" | null;
  /** The AGENTS.md files read when the checks come from them. */
  agentsMdFiles: string[];
}

export async function verificationChecks(
  home: string,
  repoRoot: string,
  environment: Pick<ResolvedEnvironment, "checks">,
): Promise<VerificationChecks> {
  const declared = checksFor(environment, "");
  if (declared.length > 0) return { checks: declared, from: "environment", agentsMdFiles: [] };
  // A broken config.toml is reported by the environment check itself; AGENTS.md is read by defaults then.
  const agentsMd = (await loadConfig(home).catch(() => undefined))?.agentsMd ?? {};
  const instructions = await loadAgentsInstructions({
    // As verification does: no global AGENTS.md (it speaks for the user, not for the repository).
    quireHome: path.join(os.tmpdir(), "quire-no-global-agents-md"),
    repoRoot,
    cwd: repoRoot,
    ...agentsMd,
  });
  const checks = checksFor(environment, instructions.text);
  if (checks.length === 0) return { checks, from: null, agentsMdFiles: [] };
  return { checks, from: "AGENTS.md", agentsMdFiles: instructions.sources.map((source) => source.path) };
}

export function formatVerificationChecks(verification: VerificationChecks): string {
  const list = verification.checks.map((check) => `  ${check}\n`).join("");
  if (verification.from === "environment") return `checks:\n${list}`;
  if (verification.from === "AGENTS.md") {
    return `checks: none declared; verification runs what AGENTS.md names (${verification.agentsMdFiles.join(", ")}):\n${list}`;
  }
  return "checks: (none): verification is skipped (declare `checks`, or name the test command in AGENTS.md)\n";
}
