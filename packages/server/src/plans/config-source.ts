/**
 * The plans configuration as the running server sees it: `plans.toml` is read again when its
 * modification time or size changes, so an operator's edit (a new limit, a plan made available)
 * applies without a restart. A broken edit is reported on every read until it is fixed; the
 * last good configuration is deliberately not kept, so nobody runs on limits they did not see.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { loadPlansConfig, PLANS_FILE_NAME } from "./config.js";
import type { PlansConfig } from "./plan-schema.js";

export class PlansConfigSource {
  private cached: { version: string; config: PlansConfig } | undefined;

  constructor(private readonly home: string) {}

  async get(): Promise<PlansConfig> {
    const version = await this.fileVersion();
    if (this.cached?.version === version) return this.cached.config;
    const config = await loadPlansConfig(this.home);
    this.cached = { version, config };
    return config;
  }

  private async fileVersion(): Promise<string> {
    try {
      const info = await stat(path.join(this.home, PLANS_FILE_NAME));
      return `${info.mtimeMs}:${info.size}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
      throw error;
    }
  }
}

/** One source per home, shared by the routes of an app (and any other caller in the process). */
const sources = new Map<string, PlansConfigSource>();

export function plansConfigSource(home: string): PlansConfigSource {
  let source = sources.get(home);
  if (!source) {
    source = new PlansConfigSource(home);
    sources.set(home, source);
  }
  return source;
}
