/**
 * "Create PR": pushes the diff as a branch (and opens a pull request where a forge is set up).
 * The title and description can be edited first; they start as the server's defaults would be
 * (the prompt's first line; the prompt and the agent's final message).
 */
import { useState } from "react";
import { api } from "../../api/client";
import type { Delivery } from "../../api/types";
import { firstLine } from "../../lib/format";

/** The server's bounds for `POST /api/tasks/:id/deliver` (title 1–300 characters, body 64 KiB). */
const TITLE_MAX = 300;
const BODY_MAX = 65_536;

interface Props {
  taskId: string;
  attemptId: string | undefined;
  prompt: string;
  finalMessage: string | null;
  delivered: Delivery | null;
  onDelivered(): void;
}

export function DeliverPanel({ taskId, attemptId, prompt, finalMessage, delivered, onDelivered }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Delivery | null>(null);
  const [title, setTitle] = useState(() => firstLine(prompt, 72) || "Quire task");
  const [body, setBody] = useState(() => `${prompt}\n\n${finalMessage ?? ""}`.trim());
  const shown = result ?? delivered;
  const titleMissing = title.trim() === "";

  const deliver = (): void => {
    if (titleMissing) return;
    setBusy(true);
    setError(null);
    api
      .deliver(taskId, { attemptId, title: title.trim(), body })
      .then((delivery) => {
        setResult(delivery);
        onDelivered();
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="deliver">
      <details className="deliver-message">
        <summary>Pull request title and description</summary>
        <label>
          <span>Title</span>
          <input
            value={title}
            maxLength={TITLE_MAX}
            aria-invalid={titleMissing || undefined}
            onChange={(event) => setTitle(event.target.value)}
          />
        </label>
        {titleMissing && <p className="error-text">A pull request needs a title.</p>}
        <label>
          <span>Description</span>
          <textarea rows={6} value={body} maxLength={BODY_MAX} onChange={(event) => setBody(event.target.value)} />
        </label>
      </details>
      <button className="primary" onClick={deliver} disabled={busy || titleMissing}>
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
