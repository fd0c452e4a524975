/** A token's value, right after it was created: the only time anyone sees it. */
import { useState } from "react";
import { copyText } from "../../lib/clipboard";

export function NewTokenValue({ name, value, onDone }: { name: string; value: string; onDone(): void }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  return (
    <div className="new-token" role="region" aria-label="New token value">
      <p>
        <strong>Token {name} created.</strong> Copy it now: you won&apos;t see it again. Quire keeps only a hash of it.
      </p>
      <div className="copy-field">
        <input
          aria-label={`Value of ${name}`}
          readOnly
          value={value}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          onClick={() =>
            copyText(value).then(
              () => setCopied("copied"),
              () => setCopied("failed"),
            )
          }
        >
          Copy token
        </button>
        <button type="button" className="quiet" onClick={onDone}>
          Done
        </button>
      </div>
      <p className="copy-hint muted" role="status">
        {copied === "copied" ? "Copied." : copied === "failed" ? "Could not copy: select the text instead." : ""}
      </p>
    </div>
  );
}
