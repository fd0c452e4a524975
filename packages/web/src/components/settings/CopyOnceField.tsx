/** A secret value shown once (a new token, an invitation link): read-only, selectable, with Copy and Done. */
import { useState } from "react";
import { copyText } from "../../lib/clipboard";

export function CopyOnceField(props: { label: string; value: string; copyLabel: string; onDone(): void }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  return (
    <>
      <div className="copy-field">
        <input
          aria-label={props.label}
          readOnly
          value={props.value}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          onClick={() =>
            copyText(props.value).then(
              () => setCopied("copied"),
              () => setCopied("failed"),
            )
          }
        >
          {props.copyLabel}
        </button>
        <button type="button" className="quiet" onClick={props.onDone}>
          Done
        </button>
      </div>
      <p className="copy-hint muted" role="status">
        {copied === "copied" ? "Copied." : copied === "failed" ? "Could not copy: select the text instead." : ""}
      </p>
    </>
  );
}
