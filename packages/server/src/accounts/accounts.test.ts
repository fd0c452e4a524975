import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LOCAL_USER_ID, LOCAL_WORKSPACE_ID } from "../storage/index.js";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";
import { Accounts } from "./accounts.js";
import { sha256 } from "./secrets.js";

const logger = pino({ level: "silent" });
const bootstrapAdmin = { email: "root@example.com", password: "root-password-1" };

describe.each(TEST_DIALECTS)("modes on %s", (dialect) => {
  const t = useTestRepos(dialect);

  it("hands the default workspace from the local owner to the bootstrap admin, and back", async () => {
    const { repos } = t;
    const local = new Accounts({ repos, logger });
    await local.ready();
    expect(await local.principalFor(local.localIdentity())).toMatchObject({
      ...{ userId: LOCAL_USER_ID, workspaceId: LOCAL_WORKSPACE_ID, role: "owner", via: "local" },
      scopes: expect.arrayContaining(["admin", "tasks:write"]),
    });
    // A token made in single-user mode belongs to nobody in particular.
    await repos.apiTokens.create({
      ...{ userId: LOCAL_USER_ID, workspaceId: LOCAL_WORKSPACE_ID, name: "laptop", scopes: ["admin"] },
      ...{ tokenHash: sha256("quire_made-locally"), prefix: "quire_made" },
    });
    await expect(local.authenticateToken("Bearer quire_made-locally")).resolves.toMatchObject({ userId: "local" });

    const multi = new Accounts({ repos, logger, auth: { mode: "multi", bootstrapAdmin } });
    await Promise.all([multi.ready(), multi.ready()]);
    const members = await repos.workspaces.members(LOCAL_WORKSPACE_ID);
    expect(members.map((m) => [m.email, m.role])).toEqual([[bootstrapAdmin.email, "owner"]]);
    await expect(multi.authenticateToken("Bearer quire_made-locally")).rejects.toThrow(/single-user mode/);
    expect(await multi.signInWithPassword(bootstrapAdmin.email, bootstrapAdmin.password)).toMatchObject({
      email: bootstrapAdmin.email,
    });

    // Restarting with another configured password does not reset the admin's.
    const again = new Accounts({
      repos,
      logger,
      auth: { mode: "multi", bootstrapAdmin: { ...bootstrapAdmin, password: "other-password-2" } },
    });
    await again.ready();
    expect(await again.signInWithPassword(bootstrapAdmin.email, "other-password-2")).toBeUndefined();

    const back = new Accounts({ repos, logger });
    await back.ready();
    expect(await repos.workspaces.roleOf(LOCAL_WORKSPACE_ID, LOCAL_USER_ID)).toBe("owner");
  });

  it("refuses invalid options when the app is made, not at the first request", () => {
    expect(() => new Accounts({ repos: t.repos, logger, auth: { mode: "multi", sessionSecret: "short" } })).toThrow(
      /sessionSecret/,
    );
  });
});
