import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { TEST_DIALECTS } from "../../testing/databases.js";
import { useTestRepos } from "../../testing/hooks.js";

describe.each(TEST_DIALECTS)("audit log on %s", (dialect) => {
  const t = useTestRepos(dialect);

  it("appends and lists newest first, per workspace, with paging", async () => {
    const base = Date.parse("2030-01-01T00:00:00Z");
    for (const [i, workspaceId] of ["w1", "w2", "w1", "w1"].entries()) {
      await t.repos.audit.append(
        { workspaceId, actorUserId: "u1", actorTokenId: null, action: `a${i}`, target: `t:${i}`, details: { i } },
        new Date(base + i * 1000),
      );
    }
    const all = await t.repos.audit.list({ workspaceId: "w1" });
    expect(all.map((e) => e.action)).toEqual(["a3", "a2", "a0"]);
    expect(all[0]).toMatchObject({ workspaceId: "w1", actorUserId: "u1", target: "t:3", details: { i: 3 } });
    const page = await t.repos.audit.list({ workspaceId: "w1", limit: 1, before: { at: all[0]!.at, id: all[0]!.id } });
    expect(page.map((e) => e.action)).toEqual(["a2"]);
    expect((await t.repos.audit.list({ workspaceId: "w1", action: "a0" })).map((e) => e.action)).toEqual(["a0"]);
  });

  it("refuses to update or delete entries, even through SQL", async () => {
    const entry = await t.repos.audit.append({
      ...{ workspaceId: "w9", actorUserId: "u1", actorTokenId: null },
      ...{ action: "token.created", target: "token:1", details: {} },
    });
    const { db } = t.database;
    await expect(
      db.updateTable("audit_log").set({ action: "nothing" }).where("id", "=", entry.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_log").where("id", "=", entry.id).execute()).rejects.toThrow(/append-only/);
    if (dialect === "postgres") await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect(await t.repos.audit.list({ workspaceId: "w9" })).toEqual([entry]);
    expect(Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(t.repos.audit))).sort()).toEqual([
      "append",
      "constructor",
      "list",
    ]);
  });
});
