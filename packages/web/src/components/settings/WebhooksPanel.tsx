/**
 * The workspace's outbound webhooks (admins): the list as the API gives it (the URL's origin only,
 * never the secret), each with its events, format and last delivery; adding one (its signing
 * secret shown once), a test post, deleting after asking. The server has the last word: its
 * refusals (a URL that is not http(s), the 20-webhook limit) are shown as it said them.
 */
import { useCallback, useEffect, useState } from "react";
import type { CreatedWebhook, Webhook } from "@quire/protocol";
import { webhooksApi } from "../../api/webhooks";
import { formatAge } from "../../lib/format";
import { ConfirmButton } from "../ConfirmButton";
import { EVENT_LABELS, NewWebhookSecret, WebhookForm } from "./WebhookForm";

export function WebhooksPanel() {
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [testing, setTesting] = useState<string | null>(null);

  const fail = (failure: unknown): void => setError(failure instanceof Error ? failure.message : String(failure));
  const load = useCallback(() => {
    // Each action clears the last error itself: a reload after a failed test keeps saying why.
    webhooksApi.list().then(setWebhooks).catch(fail);
  }, []);
  useEffect(load, [load]);

  const sendTest = (webhook: Webhook): void => {
    setTesting(webhook.id);
    setNotice(null);
    setError(null);
    webhooksApi
      .test(webhook.id)
      .then((delivery) => {
        const answer = delivery.statusCode === null ? "no answer" : `HTTP ${delivery.statusCode}`;
        if (delivery.status === "delivered") setNotice(`Test sent to ${webhook.urlHint}: ${answer}.`);
        else setError(`Test to ${webhook.urlHint} failed: ${delivery.error ?? answer}.`);
        load();
      })
      .catch(fail)
      .finally(() => setTesting(null));
  };
  const remove = (webhook: Webhook): void => {
    setNotice(null);
    setError(null);
    webhooksApi
      .remove(webhook.id)
      .then(() => {
        setNotice(`Deleted the webhook for ${webhook.urlHint}.`);
        load();
      })
      .catch(fail);
  };

  const now = Date.now();
  return (
    <section className="settings-section" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="muted">
        Quire posts to these when a task finishes, fails or is delivered, signed with HMAC-SHA256 under the
        webhook&apos;s secret (<code>X-Quire-Signature</code>), and tries again with backoff while the receiver fails.
        Only the URL&apos;s origin is shown once it is added.
      </p>
      {created && (
        <NewWebhookSecret urlHint={created.webhook.urlHint} secret={created.secret} onDone={() => setCreated(null)} />
      )}
      <WebhookForm
        onCreated={(result) => {
          setCreated(result);
          setNotice(null);
          setError(null);
          load();
        }}
      />
      <p className="notice" role="status">
        {notice}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {webhooks && webhooks.length === 0 && <p className="empty">No webhook yet.</p>}
      {webhooks && webhooks.length > 0 && (
        <div className="table-scroll">
          <table className="data-table webhooks-table">
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Events</th>
                <th scope="col">Format</th>
                <th scope="col">Last delivery</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((webhook) => (
                <tr key={webhook.id} data-webhook-id={webhook.id}>
                  <th scope="row">
                    <code>{webhook.urlHint}</code>
                  </th>
                  <td>{webhook.events.map((event) => EVENT_LABELS[event]).join(", ")}</td>
                  <td>{webhook.format === "slack" ? "Slack" : "JSON"}</td>
                  <td className="last-delivery">
                    <LastDelivery delivery={webhook.lastDelivery} now={now} />
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="quiet"
                      aria-label={`Send a test to ${webhook.urlHint}`}
                      disabled={testing !== null}
                      onClick={() => sendTest(webhook)}
                    >
                      {testing === webhook.id ? "Sending…" : "Send test"}
                    </button>
                    <ConfirmButton
                      action="Delete"
                      label={webhook.urlHint}
                      question="Delete it? Quire stops posting there, and drops the retries it still owes it."
                      confirmLabel={`Confirm deleting ${webhook.urlHint}`}
                      onConfirm={() => remove(webhook)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function LastDelivery({ delivery, now }: { delivery: Webhook["lastDelivery"]; now: number }) {
  if (!delivery) return <span className="muted">never</span>;
  const answer = delivery.statusCode === null ? "no answer" : `HTTP ${delivery.statusCode}`;
  const tries = delivery.attempts > 1 ? ` after ${delivery.attempts} tries` : "";
  return (
    <span data-status={delivery.status}>
      <span className={`badge tone-${delivery.status === "delivered" ? "good" : "bad"}`}>{delivery.status}</span>{" "}
      {answer}
      {tries}
      {delivery.event && <span className="muted"> · {delivery.event}</span>}{" "}
      <span className="muted" title={delivery.at}>
        · {formatAge(delivery.at, now)}
      </span>
      {delivery.status === "failed" && delivery.error && <span className="delivery-error">{delivery.error}</span>}
    </span>
  );
}
