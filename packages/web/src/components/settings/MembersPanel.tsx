/**
 * The workspace's members: everyone may see them; admins add them by email (someone without a
 * proven account gets an invitation link instead: nobody here chooses another person's password),
 * change roles and remove; only owners touch owners. The server has the last word, and
 * its refusal (e.g. "must keep at least one owner") is shown as it said it.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { ConfirmButton } from "../ConfirmButton";
import { ROLES } from "@quire/protocol/constants";
import type { Invitation, Member, NewMember, Role } from "@quire/protocol";
import { accountsApi } from "../../api/accounts";
import { isAdmin, roleAtLeast, useSession } from "../../state/session";
import { NewInvitationLink, OpenInvitations } from "./Invitations";

export function MembersPanel() {
  const { me } = useSession();
  const workspaceId = me?.workspace?.id;
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [newLink, setNewLink] = useState<{ email: string; url: string } | null>(null);
  const admin = isAdmin(me);
  const owner = roleAtLeast(me, "owner");

  const fail = (failure: unknown): void => setError(failure instanceof Error ? failure.message : String(failure));
  const load = useCallback(() => {
    if (!workspaceId) return;
    accountsApi
      .members(workspaceId)
      .then((list) => {
        setMembers(list);
        setError(null);
      })
      .catch(fail);
    if (admin) accountsApi.invitations(workspaceId).then(setInvitations, fail);
  }, [workspaceId, admin]);
  useEffect(load, [load]);

  if (!workspaceId) return <p className="empty">You are in no workspace.</p>;

  /** Runs a change; says what happened (or the server's refusal); true when it was done. */
  const act = (action: Promise<unknown>, done: string | (() => string)): Promise<boolean> => {
    setError(null);
    setNotice(null);
    return action.then(
      () => {
        setNotice(typeof done === "string" ? done : done());
        load();
        return true;
      },
      (failure: unknown) => {
        fail(failure);
        // A refused role change: the select goes back to what the server has.
        load();
        return false;
      },
    );
  };
  const add = (member: NewMember): Promise<boolean> => {
    setNewLink(null);
    let invited = false;
    const adding = accountsApi.addMember(workspaceId, member).then((added) => {
      if (!("invitation" in added)) return;
      invited = true;
      // In this answer only; built on this page's origin, which the invitee reaches too.
      setNewLink({ email: added.invitation.email, url: window.location.origin + added.acceptPath });
    });
    return act(adding, () => (invited ? `Invited ${member.email}.` : `Added ${member.email}.`));
  };
  // Admins may give any role but owner; owners any.
  // The contract lists roles strongest first; the picker offers them weakest first.
  const assignable = [...ROLES].reverse().filter((role) => owner || role !== "owner");

  return (
    <section className="settings-section" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <p className="muted">
        Viewers read; members also run tasks and manage repositories and environments; admins also manage members,
        everyone&apos;s tokens and read the audit log; owners also manage owners.
      </p>
      {admin && <AddMemberForm roles={assignable} onAdd={add} />}
      {newLink && <NewInvitationLink email={newLink.email} url={newLink.url} onDone={() => setNewLink(null)} />}
      <p className="notice" role="status">
        {notice}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {members && (
        <div className="table-scroll">
          <table className="data-table members-table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => {
                const label = member.email ?? member.name ?? member.userId;
                const self = member.userId === me?.user.id;
                const manageable = admin && !self && (owner || member.role !== "owner");
                return (
                  <tr key={member.userId} data-user-id={member.userId}>
                    <th scope="row">
                      {label}
                      {self && <span className="muted"> (you)</span>}
                    </th>
                    <td>{member.name ?? ""}</td>
                    <td>
                      {manageable ? (
                        <select
                          aria-label={`Role of ${label}`}
                          value={member.role}
                          onChange={(event) =>
                            void act(
                              accountsApi.changeRole(workspaceId, member.userId, event.target.value as Role),
                              `${label} is now ${event.target.value}.`,
                            )
                          }
                        >
                          {assignable.map((role) => (
                            <option key={role} value={role}>
                              {role}
                            </option>
                          ))}
                        </select>
                      ) : (
                        member.role
                      )}
                    </td>
                    <td title={member.joinedAt}>{new Date(member.joinedAt).toLocaleDateString()}</td>
                    <td>
                      {manageable && (
                        <RemoveButton
                          label={label}
                          onConfirm={() =>
                            void act(accountsApi.removeMember(workspaceId, member.userId), `Removed ${label}.`)
                          }
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {admin && (
        <OpenInvitations
          invitations={invitations}
          onRevoke={(invitation) =>
            void act(
              accountsApi.revokeInvitation(workspaceId, invitation.id),
              `Revoked the invitation of ${invitation.email}.`,
            )
          }
        />
      )}
    </section>
  );
}

function RemoveButton({ label, onConfirm }: { label: string; onConfirm(): void }) {
  return (
    <ConfirmButton
      action="Remove"
      label={label}
      question="Remove from the workspace?"
      confirmLabel={`Confirm removing ${label}`}
      onConfirm={onConfirm}
    />
  );
}

interface AddProps {
  roles: readonly Role[];
  /** Resolves true when the member was added or invited (the form then empties). */
  onAdd(member: NewMember): Promise<boolean>;
}

function AddMemberForm({ roles, onAdd }: AddProps) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (email.trim() === "") return;
    void onAdd({ email: email.trim(), role }).then((added) => {
      if (added) setEmail("");
    });
  };

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Add a member">
      <label>
        <span>Email</span>
        <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label>
        <span>Role</span>
        <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {roles.map((candidate) => (
            <option key={candidate} value={candidate}>
              {candidate}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={email.trim() === ""}>
          Add member
        </button>
      </div>
    </form>
  );
}
