/**
 * Shipping the diff. "Create PR" pushes it as a branch (and opens a pull request where a forge is
 * set up); the title and description can be edited first, and start as the server's defaults would
 * be. Once delivered, the branch and the pull request are shown, and after a follow-up changed the
 * task "Push update" adds a commit to the same branch (the server comments on the pull request).
 * A branch name is asked for only when one is needed: the branch was moved by someone else (409).
 */
import { useState } from "react";
import { api, ApiError } from "../../api/client";
import type { Delivery } from "@quire/protocol";
import { firstLine } from "../../lib/format";

/** The server's bounds for `POST /api/tasks/:id/deliver` (title 1–300 characters, body 64 KiB). */
const TITLE_MAX = 300;
const BODY_MAX = 65_536;
/** The server's pattern for a branch name in the same request. */
const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/;

interface Props {
  taskId: string;
  attemptId: string | undefined;
  prompt: string;
  finalMessage: string | null;
  delivered: Delivery | null;
  /** When the attempt's last round finished: after the delivery, the branch lacks the latest diff. */
  attemptFinishedAt: string | null;
  onDelivered(): void;
}

export function DeliverPanel(props: Props) {
  const { taskId, attemptId, prompt, finalMessage, delivered, attemptFinishedAt, onDelivered } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Delivery | null>(null);
  /** Set when the server refused to update the branch (moved by someone else): a new branch is needed. */
  const [needsBranch, setNeedsBranch] = useState(false);
  const [branch, setBranch] = useState("");
  const [title, setTitle] = useState(() => firstLine(prompt, 72) || "Quire task");
  const [body, setBody] = useState(() => `${prompt}\n\n${finalMessage ?? ""}`.trim());
  const shown = newer(result, delivered);
  const titleMissing = title.trim() === "";
  const branchInvalid = needsBranch && !BRANCH_PATTERN.test(branch.trim());
  const upToDate = shown !== null && !finishedAfter(attemptFinishedAt, shown);

  const deliver = (): void => {
    if (titleMissing || branchInvalid) return;
    setBusy(true);
    setError(null);
    const newBranch = needsBranch ? { branch: branch.trim() } : {};
    // An update keeps the server's commit message (it lists the follow-ups) unless this one was edited.
    const message = shown ? {} : { title: title.trim(), body };
    api
      .deliver(taskId, { attemptId, ...newBranch, ...message })
      .then((delivery) => {
        setResult(delivery);
        setNeedsBranch(false);
        onDelivered();
      })
      .catch((failure: unknown) => {
        // The server marks "the branch was moved by someone else" with an issue on `branch`.
        if (failure instanceof ApiError && failure.status === 409 && failure.issues.some((i) => i.path === "branch")) {
          setNeedsBranch(true);
          setBranch((current) => current || `${shown?.branch ?? "quire/update"}-2`);
        }
        setError(failure instanceof Error ? failure.message : String(failure));
      })
      .finally(() => setBusy(false));
  };

  const label = busy
    ? shown
      ? "Pushing…"
      : "Creating…"
    : needsBranch
      ? "Push to new branch"
      : shown
        ? "Push update"
        : "Create PR";

  return (
    <div className="deliver">
      {!shown && (
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
      )}
      {needsBranch && (
        <label className="deliver-branch">
          <span>New branch</span>
          <input
            value={branch}
            maxLength={200}
            aria-invalid={branchInvalid || undefined}
            onChange={(event) => setBranch(event.target.value)}
          />
        </label>
      )}
      {(!upToDate || needsBranch) && (
        <button className="primary" onClick={deliver} disabled={busy || titleMissing || branchInvalid}>
          {label}
        </button>
      )}
      {shown && (
        <p className="delivery-result" role="status">
          {shown.pullRequest ? (
            <a href={shown.pullRequest.url} target="_blank" rel="noreferrer">
              Pull request #{shown.pullRequest.number}
            </a>
          ) : (
            "Pushed"
          )}{" "}
          on branch <code data-testid="delivery-branch">{shown.branch}</code> at{" "}
          <code>{shown.commit.slice(0, 12)}</code>
          {upToDate ? <span className="muted"> (up to date)</span> : <span className="muted"> (changed since)</span>}
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

/** The later of this panel's own delivery and the task's recorded one (the task refreshes after a push). */
function newer(a: Delivery | null, b: Delivery | null): Delivery | null {
  if (!a || !b) return a ?? b;
  return Date.parse(a.deliveredAt ?? "") >= Date.parse(b.deliveredAt ?? "") ? a : b;
}

/** A round finished after the delivery (a follow-up): there is something new to push. */
function finishedAfter(finishedAt: string | null, delivery: Delivery): boolean {
  if (!finishedAt || !delivery.deliveredAt) return false;
  return Date.parse(finishedAt) > Date.parse(delivery.deliveredAt);
}
