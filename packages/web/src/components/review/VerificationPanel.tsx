/**
 * The verification gate: the checks re-run on the diff in a fresh sandbox, their status and log.
 * When they passed, the checks and the log stay folded under one line, so the diff is in view;
 * when they failed (or are running) they are open.
 */
import { useEffect, useState } from "react";
import type { Attempt } from "@quire/protocol";
import { plural } from "../../lib/format";
import type { ItemEntry } from "../../state/timeline";
import { CommandBlock } from "../task/CommandBlock";

interface Props {
  attempt: Attempt | undefined;
  checks: readonly ItemEntry[];
  running: boolean;
}

export function VerificationPanel({ attempt, checks, running }: Props) {
  const status = attempt?.verification ?? null;
  const passed = status === "verified";
  const [open, setOpen] = useState(!passed);
  // Folds once the checks pass (also when that happens while the page is open).
  useEffect(() => setOpen(!passed), [passed]);
  if (!status && checks.length === 0) return null;
  const commands = checks.filter((entry) => entry.item.type === "command_execution");
  return (
    <section className="verification" aria-label="Verification">
      <h3>
        Verification {passed && <span className="badge tone-good">Verified</span>}
        {status === "checks_failed" && <span className="badge tone-bad">Checks failed</span>}
        {status === "skipped" && <span className="badge tone-muted">No checks</span>}
        {!status && running && <span className="badge tone-active">Checking…</span>}
      </h3>
      {(commands.length > 0 || attempt?.verificationLog) && (
        <details
          className="verification-details"
          open={open}
          onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}
        >
          <summary>
            {commands.length > 0 ? plural(commands.length, "check") : "Checks"}
            {passed ? " passed" : ""}: commands and log
          </summary>
          {commands.map((entry) =>
            entry.item.type === "command_execution" ? (
              <CommandBlock key={entry.key} entry={{ ...entry, item: entry.item }} />
            ) : null,
          )}
          {attempt?.verificationLog && (
            <details className="verification-log">
              <summary>Verification log</summary>
              <pre className="command-output">{attempt.verificationLog}</pre>
            </details>
          )}
        </details>
      )}
    </section>
  );
}
