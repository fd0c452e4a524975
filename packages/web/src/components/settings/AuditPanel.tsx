/**
 * The workspace's audit log (admins and owners): newest first, a page at a time ("Older
 * entries" follows the server's cursor), filtered by action. Actors show by their email when
 * they are members.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { AuditEntry } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { onLinkClick, taskHref } from "../../lib/router";
import { useSession } from "../../state/session";

export const AUDIT_PAGE_SIZE = 25;

/** The actions the server records (docs/accounts.md and the task routes), for the filter. */
const ACTIONS = [
  "auth.login",
  "auth.login_failed",
  "auth.login_throttled",
  "auth.logout",
  "user.created",
  "user.password_changed",
  "workspace.created",
  "member.added",
  "member.role_changed",
  "member.removed",
  "token.created",
  "token.revoked",
  "repository.created",
  "environment.created",
  "environment.updated",
  "environment.deleted",
  "secret.set",
  "secret.removed",
  "task.created",
  "task.follow_up",
  "task.cancelled",
  "task.archived",
  "task.unarchived",
  "task.delivered",
];

export function AuditPanel() {
  const { me } = useSession();
  const [action, setAction] = useState("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [people, setPeople] = useState<Record<string, string>>({});
  const generation = useRef(0);

  const fetchPage = useCallback(
    (before: string | null) => {
      // A page asked for under the previous filter must not land in this one's list.
      const mine = before === null ? ++generation.current : generation.current;
      setBusy(true);
      accountsApi
        .audit({ action: action || undefined, before: before ?? undefined, limit: AUDIT_PAGE_SIZE })
        .then((page) => {
          if (mine !== generation.current) return;
          setEntries((current) => (before === null ? page.entries : [...(current ?? []), ...page.entries]));
          setNext(page.next);
          setError(null);
        })
        .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)))
        .finally(() => setBusy(false));
    },
    [action],
  );
  useEffect(() => fetchPage(null), [fetchPage]);

  const workspaceId = me?.workspace?.id;
  useEffect(() => {
    if (!workspaceId) return;
    accountsApi
      .members(workspaceId)
      .then((members) =>
        setPeople(Object.fromEntries(members.map((member) => [member.userId, member.email ?? member.userId]))),
      )
      .catch(() => undefined);
  }, [workspaceId]);

  return (
    <section className="settings-section" aria-labelledby="audit-heading">
      <div className="section-head">
        <h2 id="audit-heading">Audit log</h2>
        <label className="inline-label">
          <span>Action</span>
          <select value={action} onChange={(event) => setAction(event.target.value)}>
            <option value="">All actions</option>
            {ACTIONS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p className="empty">No entries{action ? ` for ${action}` : ""}.</p>}
      {entries && entries.length > 0 && (
        <div className="table-scroll">
          <table className="data-table audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Who</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-id={entry.id} data-action={entry.action}>
                  <td className="audit-when">
                    <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>{actorOf(entry, people)}</td>
                  <td className="audit-target">
                    <Target entry={entry} />
                  </td>
                  <td className="audit-details">{detailsText(entry.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => fetchPage(next)} disabled={busy}>
          {busy ? "Loading…" : "Older entries"}
        </button>
      )}
    </section>
  );
}

/** A task's target links to the task (task routes name it by its id, with or without `task:`). */
function Target({ entry }: { entry: AuditEntry }) {
  const target = entry.target ?? "";
  if (!entry.action.startsWith("task.") || target === "") return <code>{target}</code>;
  const id = target.replace(/^task:/, "");
  return (
    <a href={taskHref(id)} onClick={(event) => onLinkClick(event, taskHref(id))}>
      <code>{target}</code>
    </a>
  );
}

function actorOf(entry: AuditEntry, people: Record<string, string>): string {
  const user = entry.actorUserId ? (people[entry.actorUserId] ?? entry.actorUserId) : "—";
  return entry.actorTokenId ? `${user} (token)` : user;
}

/** `name=ci, scopes=tasks:read`: the details in one line (the server already left secrets out). */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}
