/** Multi-user mode only: who is signed in, the workspace switcher and Sign out (in the side panel). */
import { useSession } from "../../state/session";

export function AccountBar() {
  const { me, multiUser, switchWorkspace, signOut } = useSession();
  if (!multiUser || !me) return null;
  const who = me.user.email ?? me.user.name ?? me.user.id;
  return (
    <div className="account-bar" aria-label="Account" role="group">
      <span className="account-user" title={me.user.name ? `${me.user.name} <${who}>` : who} data-testid="signed-in-as">
        {who}
      </span>
      <select
        aria-label="Workspace"
        value={me.workspace?.id ?? ""}
        onChange={(event) => switchWorkspace(event.target.value)}
      >
        {!me.workspace && <option value="">No workspace</option>}
        {me.workspaces.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name} ({workspace.role})
          </option>
        ))}
      </select>
      <button type="button" className="quiet" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}
