/**
 * Plans and rate limits at task creation and follow-up. They apply on a multi-user server, or
 * wherever the operator wrote a plans.toml; a single user on their own machine is not limited.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Context } from "hono";
import type { Principal } from "../accounts/index.js";
import { admit, plansConfigSource, refusalResponse, resolvePlan } from "../plans/index.js";
import type { AdmissionKind, Repos } from "../storage/index.js";

export interface AdmissionSettings {
  enforced: boolean;
  home: string;
}

export function admissionSettings(home: string, multiUser: boolean): AdmissionSettings {
  return { enforced: multiUser || existsSync(path.join(home, "plans.toml")), home };
}

/** The admission's id (to link to the task, or refund), a refusal response, or null when limits are off. */
export async function admitOrRefuse(
  c: Context,
  repos: Repos,
  settings: AdmissionSettings,
  principal: Principal,
  request: { kind: AdmissionKind; attempts: number; model?: string | null; taskId?: string },
): Promise<{ admissionId: string } | Response | null> {
  if (!settings.enforced) return null;
  const config = await plansConfigSource(settings.home).get();
  const plan = await resolvePlan(repos, config, principal.workspaceId);
  const result = await admit(repos, { ...request, workspaceId: principal.workspaceId, userId: principal.userId, plan });
  if (!result.ok) return refusalResponse(c, result);
  return { admissionId: result.admissionId };
}
