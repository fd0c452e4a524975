/**
 * Settings of the workspace (`/settings/<tab>`): API tokens (everyone: their own; admins see
 * everyone's), members (multi-user mode; admins manage them), webhooks and the audit log (admins
 * and owners) and one's own password (multi-user mode, signed in with a session). A tab the reader may not
 * use is not offered; the server decides in any case.
 */
import { isAdmin, useSession } from "../../state/session";
import { onLinkClick, settingsHref, type SettingsTab } from "../../lib/router";
import { AuditPanel } from "./AuditPanel";
import { MembersPanel } from "./MembersPanel";
import { PasswordPanel } from "./PasswordPanel";
import { TokensPanel } from "./TokensPanel";
import { WebhooksPanel } from "./WebhooksPanel";

const LABELS: Record<SettingsTab, string> = {
  tokens: "API tokens",
  members: "Members",
  webhooks: "Webhooks",
  audit: "Audit log",
  password: "Password",
};

export function SettingsPage({ tab }: { tab: SettingsTab }) {
  const { me, multiUser } = useSession();
  const offered: SettingsTab[] = ["tokens"];
  if (multiUser) offered.push("members");
  if (isAdmin(me)) offered.push("webhooks", "audit");
  // Only a browser session may change it (the server refuses API tokens); single-user mode has none.
  if (multiUser && me?.via === "session" && me.user.hasPassword !== false) offered.push("password");
  const shown = offered.includes(tab) ? tab : null;

  return (
    <div className="page settings-page">
      <header className="page-head">
        <h1>Settings</h1>
        {me?.workspace && <span className="muted">Workspace {me.workspace.name}</span>}
      </header>
      <nav className="tabs settings-tabs" aria-label="Settings">
        {offered.map((candidate) => (
          <a
            key={candidate}
            href={settingsHref(candidate)}
            aria-current={candidate === shown ? "page" : undefined}
            onClick={(event) => onLinkClick(event, settingsHref(candidate))}
          >
            {LABELS[candidate]}
          </a>
        ))}
      </nav>
      {shown === "tokens" && <TokensPanel />}
      {shown === "members" && <MembersPanel />}
      {shown === "webhooks" && <WebhooksPanel />}
      {shown === "audit" && <AuditPanel />}
      {shown === "password" && <PasswordPanel />}
      {shown === null && (
        <p className="error-text" role="alert">
          {tab === "password"
            ? "Passwords are changed on a multi-user server, signed in from a browser."
            : `${LABELS[tab]} are for the workspace's admins and owners.`}
        </p>
      )}
    </div>
  );
}
