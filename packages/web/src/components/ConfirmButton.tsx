import { useState } from "react";

interface Props {
  /** The verb on both buttons: "Remove", "Revoke". */
  action: string;
  /** What it acts on, for screen readers: "Remove ann@example.com". */
  label: string;
  /** Asked before acting. */
  question: string;
  /** The group's accessible name while asking: "Confirm removing ann@example.com". */
  confirmLabel: string;
  onConfirm(): void;
}

/** A destructive action in two steps: the button, then the question with the action or "Keep". */
export function ConfirmButton({ action, label, question, confirmLabel, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="quiet danger" aria-label={`${action} ${label}`} onClick={() => setAsking(true)}>
        {action}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={confirmLabel}>
      {question}
      <button type="button" className="danger" onClick={onConfirm}>
        {action}
      </button>
      <button type="button" className="quiet" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
