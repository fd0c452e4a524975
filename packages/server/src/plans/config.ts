/**
 * Loads `plans.toml` from Quire's home: plans (entitlements), the default plan and model prices.
 * The built-in plans are always there; a file's `[plans.NAME]` table changes only the keys it
 * gives, and a plan that is not built in must give every entitlement. Every problem is reported
 * with the file and the key, spelled as in the file.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "@quire/core";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { BUILT_IN_DEFAULT_PLAN, BUILT_IN_PLANS, BUILT_IN_PRICES } from "./defaults.js";
import {
  ENTITLEMENT_KEYS,
  plansFileSchema,
  toPlan,
  toPrice,
  type CompletePlanEntry,
  type PlanFileEntry,
  type PlansConfig,
  type PlansFile,
} from "./plan-schema.js";

export const PLANS_FILE_NAME = "plans.toml";

interface Problem {
  key: string;
  message: string;
}

/** Reads `plans.toml` from `home`; without one, the built-in plans and prices apply. */
export async function loadPlansConfig(home: string): Promise<PlansConfig> {
  const file = path.join(home, PLANS_FILE_NAME);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return parsePlansConfig({});
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  return parsePlansConfigSource(source, file);
}

/** Parses the text of a plans file; `file` names it in errors. */
export function parsePlansConfigSource(source: string, file: string): PlansConfig {
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // Only the first line: the rest quotes the source line.
    const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "");
    throw new ConfigError(`${file}:${error.line}:${error.column}: invalid TOML: ${reason}`, file);
  }
  return parsePlansConfig(raw, file);
}

/** Validates an already-parsed plans document and lays it over the built-in plans. */
export function parsePlansConfig(raw: unknown, file?: string): PlansConfig {
  const parsed = plansFileSchema.safeParse(raw);
  if (!parsed.success) fail(file, parsed.error.issues.flatMap(describeIssue));
  const document: PlansFile = parsed.data;

  const problems: Problem[] = [];
  const entries: Record<string, CompletePlanEntry> = { ...BUILT_IN_PLANS };
  for (const [name, entry] of Object.entries(document.plans ?? {})) {
    const merged = mergePlan(name, entry, problems);
    if (merged) entries[name] = merged;
  }
  const defaultPlan = document.default_plan ?? BUILT_IN_DEFAULT_PLAN;
  const chosen = entries[defaultPlan];
  if (!chosen) problems.push({ key: "default_plan", message: `no plan named ${defaultPlan}` });
  else if (!chosen.available) problems.push({ key: "default_plan", message: `plan ${defaultPlan} is not available` });
  if (problems.length > 0) fail(file, problems);

  const plans = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, toPlan(name, entry)]));
  const prices = [...(document.prices ?? []), ...BUILT_IN_PRICES].map(toPrice);
  return { defaultPlan, plans, prices, ...(file !== undefined ? { file } : {}) };
}

function mergePlan(name: string, entry: PlanFileEntry, problems: Problem[]): CompletePlanEntry | undefined {
  const base = BUILT_IN_PLANS[name];
  if (base) return { ...base, ...definedKeys(entry) };
  const missing = ENTITLEMENT_KEYS.filter((key) => entry[key] === undefined);
  for (const key of missing) {
    problems.push({
      key: `plans.${name}.${key}`,
      message: "required (the plan is not built in, so it has no default)",
    });
  }
  if (missing.length > 0) return undefined;
  const title = entry.title ?? name.charAt(0).toUpperCase() + name.slice(1);
  return { ...(entry as CompletePlanEntry), title, available: entry.available ?? true };
}

function definedKeys<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fail(file: string | undefined, problems: Problem[]): never {
  const where = file ?? "the plans configuration";
  const lines = problems.map((p) => `  ${p.key}: ${p.message}`).join("\n");
  throw new ConfigError(`invalid plans configuration in ${where}:\n${lines}`, file, problems[0]?.key, problems);
}

/** One line per offending key, as written in the file (`plans.pro.tasks_per_5h`, `prices[0].model`). */
function describeIssue(issue: z.core.$ZodIssue): Problem[] {
  const at = issue.path.reduce<string>((key, part) => {
    if (typeof part === "number") return `${key}[${part}]`;
    const name = tomlKey(String(part));
    return key === "" ? name : `${key}.${name}`;
  }, "");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      key: at === "" ? tomlKey(key) : `${at}.${tomlKey(key)}`,
      message: "unknown key",
    }));
  }
  if (issue.code === "invalid_key" && issue.issues[0]) return [{ key: at, message: issue.issues[0].message }];
  return [{ key: at || "(top level)", message: issue.message }];
}

function tomlKey(part: string): string {
  return /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part);
}
