/** "Create PR": pushes the diff as a branch (and opens a pull request where a forge is set up). */
import { useState } from "react";
import { api } from "../../api/client";
import type { Delivery } from "../../api/types";

interface Props {
  taskId: string;
  attemptId: string | undefined;
  delivered: Delivery | null;
  onDelivered(): void;
}

export function DeliverPanel({ taskId, attemptId, delivered, onDelivered }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Delivery | null>(null);
  const shown = result ?? delivered;

  const deliver = (): void => {
    setBusy(true);
    setError(null);
    api
      .deliver(taskId, attemptId)
      .then((delivery) => {
        setResult(delivery);
        onDelivered();
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="deliver">
      <button className="primary" onClick={deliver} disabled={busy}>
        {busy ? "Creating…" : shown ? "Push again" : "Create PR"}
      </button>
      {shown && (
        <p className="delivery-result" role="status">
          {shown.pullRequest ? (
            <a href={shown.pullRequest.url} target="_blank" rel="noreferrer">
              Pull request #{shown.pullRequest.number}
            </a>
          ) : (
            "Pushed"
          )}{" "}
          on branch <code>{shown.branch}</code>
          <span className="muted"> — {shown.message}</span>
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
