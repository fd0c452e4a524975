import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { DEFAULT_AGENTS_MD_MAX_BYTES } from "../instructions/agents-md.js";
import { configFileSchema, type QuireConfig, toQuireConfig } from "./schema.js";

export const CONFIG_FILE_NAME = "config.toml";

/** A configuration problem, naming the file and the offending key when there is one. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
    /** Every offending key when the file failed validation (`key` is the first of them). */
    readonly problems: readonly { key: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Quire's home: `QUIRE_HOME`, else `~/.quire`. Holds config.toml, the global AGENTS.md and tasks. */
export function quireHome(env: Env = process.env): string {
  const explicit = env.QUIRE_HOME;
  if (explicit) return path.resolve(explicit);
  return path.join(env.HOME || homedir(), ".quire");
}

/** Reads `config.toml` from `home`; a missing file gives the defaults. */
export async function loadConfig(home: string): Promise<QuireConfig> {
  const file = path.join(home, CONFIG_FILE_NAME);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return toQuireConfig({}, DEFAULT_AGENTS_MD_MAX_BYTES);
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // Only the first line: the rest quotes the offending source line, which may hold a key.
    const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "");
    throw new ConfigError(`${file}:${error.line}:${error.column}: invalid TOML: ${reason}`, file);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap(describeIssue);
    const lines = problems.map((p) => `  ${p.key}: ${p.message}`).join("\n");
    throw new ConfigError(`invalid configuration in ${file}:\n${lines}`, file, problems[0]?.key, problems);
  }
  return toQuireConfig(parsed.data, DEFAULT_AGENTS_MD_MAX_BYTES, file);
}

/** One line per offending key, spelled as in the file (`limits.max_turns`, `profiles.fast.model`). */
export function describeIssue(issue: z.core.$ZodIssue): { key: string; message: string }[] {
  const at = issue.path.map((part) => tomlKey(String(part)));
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ key: [...at, tomlKey(key)].join("."), message: "unknown key" }));
  }
  // A record key that fails its own schema: zod says only "Invalid key in record"; give the reason.
  if (issue.code === "invalid_key" && issue.issues[0]) return [{ key: at.join("."), message: issue.issues[0].message }];
  return [{ key: at.join(".") || "(top level)", message: issue.message }];
}

function tomlKey(part: string): string {
  return /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part);
}
