/**
 * The environment an attempt runs in: the repository's `.quire/environment.toml` as of the task's
 * commit, then config.toml's `"*"` tables, then the environment stored on the server (if the task
 * names one), whose secrets come from the database.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type EnvironmentForTask, git, MIN_REDACTED_LENGTH, resolveEnvironment, type SnapshotScope } from "@quire/core";
import type { Environment, Repos, SecretValue } from "../storage/index.js";

export async function environmentForTask(options: {
  home: string;
  repos: Repos;
  /** The task's workspace: its snapshots are its own. */
  workspaceId: string;
  sourceDir: string;
  commit: string;
  environment: Environment | undefined;
}): Promise<EnvironmentForTask> {
  const { repos, environment } = options;
  // Read from the commit, not a checkout: a clone of a URL has none, and a local checkout may differ.
  const file = await git(["cat-file", "blob", `${options.commit}:.quire/environment.toml`], {
    cwd: options.sourceDir,
  }).catch(() => null);
  const root = await mkdtemp(path.join(options.home, "tmp-env-"));
  try {
    if (file !== null) {
      await mkdir(path.join(root, ".quire"));
      await writeFile(path.join(root, ".quire", "environment.toml"), file);
    }
    const stored = environment ? await repos.environments.readSecrets(environment.id) : [];
    const byName = new Map(stored.map((secret) => [secret.name, secret]));
    const values: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const secret of stored) if (secret.readable) values[secret.name] = secret.value;
    const resolved = await resolveEnvironment({
      home: options.home,
      repoRoot: root,
      ...(environment
        ? { overrides: { label: `environment ${environment.name}`, definition: environment.definition } }
        : {}),
      secretStore: async (names) => {
        // Only the secrets this environment names: one this key cannot read fails the task, others do not.
        const unreadable = names.flatMap((name) => {
          const secret = byName.get(name);
          return secret && !secret.readable ? [secret.error.message] : [];
        });
        if (unreadable.length > 0) throw new Error(`environment ${environment?.name}: ${unreadable.join("; ")}`);
        return names.map((name) => {
          const value = values[name];
          const version = byName.get(name)?.version;
          return {
            name,
            version: value === undefined || version === undefined ? null : `v${version}`,
            redactable: value !== undefined && value.length >= MIN_REDACTED_LENGTH,
          };
        });
      },
    });
    const secretValues = Object.fromEntries(
      resolved.secrets.flatMap((secret) =>
        values[secret.name] === undefined ? [] : [[secret.name, values[secret.name]]],
      ),
    ) as Record<string, string>;
    return {
      environment: resolved,
      secretValues,
      snapshotScope: snapshotScope(options.workspaceId, environment, stored),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * The task's workspace, and its stored environment with the generation of each secret (a value
 * deleted and set again is version 1 again, but not the same write). Without a stored
 * environment the task runs on the repository's own definition: `none`, still per workspace.
 */
function snapshotScope(
  workspaceId: string,
  environment: Environment | undefined,
  secrets: SecretValue[],
): SnapshotScope {
  if (!environment) return { workspace: workspaceId, environment: "none" };
  const generations = secrets.map((secret) => [secret.name, secret.version, secret.updatedAt]);
  const stamp = createHash("sha256").update(JSON.stringify(generations)).digest("hex").slice(0, 16);
  return { workspace: workspaceId, environment: `${environment.id}@${stamp}` };
}
