/**
 * How to take the diff home without a pull request: `quire apply <attempt>` on the server's
 * machine (each attempt is a Quire task in the server's home), or the diff over HTTP into
 * `git apply` from anywhere that can reach the server. On a multi-user server the diff needs an
 * API token, so the curl line sends one from the QUIRE_TOKEN variable (never a real value: the
 * page has none, and a command copied around should not carry one).
 */
import { useEffect, useState } from "react";
import { diffUrl } from "../../api/client";
import { copyText } from "../../lib/clipboard";
import { useSession } from "../../state/session";

interface Props {
  taskId: string;
  attemptId: string;
}

export function applyCommands(
  origin: string,
  taskId: string,
  attemptId: string,
  withToken = false,
): { quire: string; curl: string } {
  // -f: a refusal (401, 404) fails the pipe instead of feeding its JSON to git apply.
  const auth = withToken ? ` -H "Authorization: Bearer $QUIRE_TOKEN"` : "";
  return {
    quire: `quire apply ${attemptId}`,
    // Quoted: the "?" in the URL is a glob to zsh and fish.
    curl: `curl -sf${auth} '${origin}${diffUrl(taskId, attemptId)}' | git apply`,
  };
}

export function ApplyCommands({ taskId, attemptId }: Props) {
  const { multiUser } = useSession();
  const commands = applyCommands(window.location.origin, taskId, attemptId, multiUser);
  return (
    <section className="apply-commands" aria-label="Apply locally">
      <CopyField
        label="Apply command"
        button="Copy apply command"
        value={commands.quire}
        hint="On the server's machine, inside your checkout."
      />
      <CopyField
        label="Apply with curl"
        button="Copy curl command"
        value={commands.curl}
        hint={
          multiUser
            ? "Or from any machine that reaches this server, with QUIRE_TOKEN set to an API token that can read tasks (Settings, API tokens)."
            : "Or from any machine that reaches this server."
        }
      />
    </section>
  );
}

function CopyField({ label, button, value, hint }: { label: string; button: string; value: string; hint: string }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(null), 2500);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const copy = (): void => {
    copyText(value).then(
      () => setCopied("copied"),
      () => setCopied("failed"),
    );
  };

  return (
    <div className="copy-field">
      <input aria-label={label} readOnly value={value} onFocus={(event) => event.currentTarget.select()} />
      <button type="button" onClick={copy}>
        {button}
      </button>
      <span className="copy-hint muted" role="status">
        {copied === "copied" ? "Copied." : copied === "failed" ? "Could not copy: select the text instead." : hint}
      </span>
    </div>
  );
}
