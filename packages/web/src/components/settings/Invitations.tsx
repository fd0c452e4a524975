/**
 * Invitations on the members page: the link of one just made (shown this once: the server keeps
 * only a hash of its token) and the workspace's open invitations, which admins may revoke.
 */
import type { Invitation } from "@quire/protocol";
import { CopyOnceField } from "./CopyOnceField";
import { ConfirmButton } from "../ConfirmButton";

export function NewInvitationLink({ email, url, onDone }: { email: string; url: string; onDone(): void }) {
  return (
    <div className="new-token" role="region" aria-label="Invitation link">
      <p>
        <strong>{email} has no account here yet: they are invited.</strong> Send them this link; they choose their own
        password (or sign in with SSO under that email). It works once, for a week. Copy it now: you won&apos;t see it
        again.
      </p>
      <CopyOnceField label={`Invitation link for ${email}`} value={url} copyLabel="Copy link" onDone={onDone} />
    </div>
  );
}

export function OpenInvitations({
  invitations,
  onRevoke,
}: {
  invitations: readonly Invitation[];
  onRevoke(invitation: Invitation): void;
}) {
  if (invitations.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="data-table invitations-table" aria-label="Open invitations">
        <thead>
          <tr>
            <th scope="col">Invited</th>
            <th scope="col">Role</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((invitation) => (
            <tr key={invitation.id} data-invitation-id={invitation.id}>
              <th scope="row">{invitation.email}</th>
              <td>{invitation.role}</td>
              <td title={invitation.expiresAt}>{new Date(invitation.expiresAt).toLocaleDateString()}</td>
              <td>
                <ConfirmButton
                  action="Revoke"
                  label={`invitation of ${invitation.email}`}
                  question="Revoke the invitation?"
                  confirmLabel={`Confirm revoking the invitation of ${invitation.email}`}
                  onConfirm={() => onRevoke(invitation)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
