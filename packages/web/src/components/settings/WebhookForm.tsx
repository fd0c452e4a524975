/**
 * Adding a webhook: where to post (any http(s) URL; the server decides whether it may reach it),
 * which events, and whether to post Slack-compatible messages. Its signing secret comes back once,
 * shown by the panel (NewWebhookSecret).
 */
import { useState, type FormEvent } from "react";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@quire/protocol/constants";
import type { CreatedWebhook } from "@quire/protocol";
import { webhooksApi } from "../../api/webhooks";
import { CopyOnceField } from "./CopyOnceField";
import { FormActions } from "./FormActions";
import { ChoiceCheckboxes } from "./ChoiceCheckboxes";

export const EVENT_LABELS: Record<WebhookEvent, string> = {
  "task.finished": "Task finished",
  "task.failed": "Task failed",
  "task.delivered": "Task delivered",
};

export function WebhookForm({ onCreated }: { onCreated(created: CreatedWebhook): void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [slack, setSlack] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    webhooksApi
      .create({ url: url.trim(), events, format: slack ? "slack" : "json" })
      .then((created) => {
        setUrl("");
        onCreated(created);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => setBusy(false));
  };
  const toggle = (name: WebhookEvent, on: boolean): void =>
    setEvents((current) =>
      on
        ? WEBHOOK_EVENTS.filter((candidate) => candidate === name || current.includes(candidate))
        : current.filter((candidate) => candidate !== name),
    );

  return (
    <form className="settings-form webhook-form" onSubmit={submit} aria-label="New webhook">
      <label className="webhook-url">
        <span>URL</span>
        <input
          type="url"
          value={url}
          placeholder="https://hooks.example.com/quire"
          maxLength={2048}
          spellCheck={false}
          onChange={(event) => setUrl(event.target.value)}
        />
      </label>
      <ChoiceCheckboxes
        legend="Events"
        choices={WEBHOOK_EVENTS}
        chosen={events}
        onToggle={toggle}
        label={(name) => EVENT_LABELS[name]}
      />
      <label className="checkbox">
        <input type="checkbox" checked={slack} onChange={(event) => setSlack(event.target.checked)} />
        <span>
          Slack format (a <code>{"{text}"}</code> message for an incoming webhook)
        </span>
      </label>
      <FormActions
        label="Add webhook"
        busyLabel="Adding…"
        busy={busy}
        incomplete={url.trim() === "" || events.length === 0}
        error={error}
      />
    </form>
  );
}

/** A new webhook's signing secret, right after it was added: the only time anyone sees it. */
export function NewWebhookSecret({ urlHint, secret, onDone }: { urlHint: string; secret: string; onDone(): void }) {
  return (
    <div className="new-token" role="region" aria-label="New webhook secret">
      <p>
        <strong>Webhook for {urlHint} added.</strong> Copy its signing secret now: you won&apos;t see it again.
        Receivers check <code>X-Quire-Signature</code> (HMAC-SHA256 of the body) with it.
      </p>
      <CopyOnceField label={`Signing secret for ${urlHint}`} value={secret} copyLabel="Copy secret" onDone={onDone} />
    </div>
  );
}
