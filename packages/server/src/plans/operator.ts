/**
 * What the server's operator does to plans, from the command line (`quire plan`): plans are the
 * operator's to give, not a workspace admin's, so there is no API route for it. Every change is
 * in the audit log, with no user as actor.
 */
import { appendAudit } from "../accounts/index.js";
import { createRepos, migrateToLatest, openDatabase } from "../storage/index.js";
import { loadPlansConfig } from "./config.js";
import { resolvePlan, assignPlan } from "./workspace-plan.js";
import type { EntitlementOverrides } from "./plan-schema.js";

export interface OperatorDatabase {
  home: string;
  databaseUrl?: string;
  databaseSchema?: string;
}

export async function assignWorkspacePlan(
  where: OperatorDatabase,
  workspaceId: string,
  planName: string,
  overrides: EntitlementOverrides | null,
): Promise<{ plan: string; title: string }> {
  const database = openDatabase({ url: where.databaseUrl, home: where.home, schema: where.databaseSchema });
  try {
    await migrateToLatest(database.db);
    // Plans never touch environment secrets, so this command needs no secrets key.
    const repos = createRepos({ ...database, secretCipher: null });
    if (!(await repos.workspaces.get(workspaceId))) throw new Error(`no workspace ${workspaceId}`);
    const config = await loadPlansConfig(where.home);
    const before = await resolvePlan(repos, config, workspaceId);
    const plan = await assignPlan(repos, config, workspaceId, planName, overrides);
    await appendAudit(repos, {
      workspaceId,
      actorUserId: null,
      actorTokenId: null,
      action: "plan.assigned",
      target: `workspace:${workspaceId}`,
      details: { from: before.name, to: plan.name, overrides, by: "operator (quire plan)" },
    });
    return { plan: plan.name, title: plan.title };
  } finally {
    await database.close();
  }
}
