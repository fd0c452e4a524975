/** The verification gate: the checks re-run on the diff in a fresh sandbox, their status and log. */
import type { Attempt } from "../../api/types";
import type { ItemEntry } from "../../state/timeline";
import { CommandBlock } from "../task/CommandBlock";

interface Props {
  attempt: Attempt | undefined;
  checks: readonly ItemEntry[];
  running: boolean;
}

export function VerificationPanel({ attempt, checks, running }: Props) {
  const status = attempt?.verification ?? null;
  if (!status && checks.length === 0) return null;
  return (
    <section className="verification" aria-label="Verification">
      <h3>
        Verification {status === "verified" && <span className="badge tone-good">Verified</span>}
        {status === "checks_failed" && <span className="badge tone-bad">Checks failed</span>}
        {status === "skipped" && <span className="badge tone-muted">No checks</span>}
        {!status && running && <span className="badge tone-active">Checking…</span>}
      </h3>
      {checks.map((entry) =>
        entry.item.type === "command_execution" ? (
          <CommandBlock key={entry.key} entry={{ ...entry, item: entry.item }} />
        ) : null,
      )}
      {attempt?.verificationLog && (
        <details>
          <summary>Verification log</summary>
          <pre className="command-output">{attempt.verificationLog}</pre>
        </details>
      )}
    </section>
  );
}
