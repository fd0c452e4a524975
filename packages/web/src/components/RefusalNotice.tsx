/**
 * A task or follow-up the workspace's plan refused, said where it was asked: which limit, how
 * much of it is used, and when to try again ("in 2 h 10 min") — or, on a 403, that waiting will
 * not help. Anything else the server refused shows as its message.
 */
import { useState } from "react";
import type { Refusal } from "../api/refusal";
import { ApiError } from "../api/client";
import { formatWait, formatWhen, limitLabel, limitUnit, secondsUntil } from "../lib/limits";
import { useNow } from "../state/use-interval";

/** A failure as a view shows it: the server's words, and the plan's refusal when it was one. */
export interface ShownError {
  message: string;
  refusal: Refusal | null;
}

export function shownError(failure: unknown): ShownError {
  if (failure instanceof ApiError) return { message: failure.message, refusal: failure.refusal };
  return { message: failure instanceof Error ? failure.message : String(failure), refusal: null };
}

export function ErrorOrRefusal({ error }: { error: ShownError | null }) {
  if (!error) return null;
  if (error.refusal) return <RefusalNotice refusal={error.refusal} />;
  return (
    <p className="error-text" role="alert">
      {error.message}
    </p>
  );
}

export function RefusalNotice({ refusal }: { refusal: Refusal }) {
  const [receivedAt] = useState(() => Date.now());
  const now = useNow(15_000);
  const waiting = refusal.retryAfterSeconds !== null;
  const until =
    refusal.resetAt ??
    (refusal.retryAfterSeconds !== null ? new Date(receivedAt + refusal.retryAfterSeconds * 1000).toISOString() : null);
  const label = limitLabel(refusal.limit);

  return (
    <div className="refusal" role="alert" data-limit={refusal.limit}>
      <p className="refusal-title">
        <strong>
          {waiting ? `Plan limit reached: ${label.toLowerCase()}` : `Not in your plan: ${label.toLowerCase()}`}
        </strong>
        {waiting && refusal.used !== null && refusal.max !== null && (
          <span className="refusal-count" data-testid="refusal-count">
            {refusal.used} / {refusal.max} {limitUnit(refusal.limit)} used
          </span>
        )}
      </p>
      {/* The numbers say it for a limit that waiting frees; otherwise the server's words say what the plan allows. */}
      {!waiting && <p className="refusal-message">{capitalise(refusal.message)}.</p>}
      {waiting && refusal.limit === "concurrent_tasks" && (
        <p data-testid="refusal-wait">Try again when one of the running tasks ends.</p>
      )}
      {waiting && refusal.limit !== "concurrent_tasks" && until && (
        <p data-testid="refusal-wait">
          Try again in {formatWait(secondsUntil(until, now))}{" "}
          <span className="muted">
            (<time dateTime={until}>{formatWhen(until)}</time>)
          </span>
          .
        </p>
      )}
      {!waiting && (
        <p data-testid="refusal-wait">Waiting will not help: ask an admin of the workspace about its plan.</p>
      )}
    </div>
  );
}

function capitalise(text: string): string {
  const trimmed = text.replace(/\.$/, "");
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
