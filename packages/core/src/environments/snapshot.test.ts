import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { tempHome } from "../../../../test/helpers/quire.js";
import { defaultEnvironment } from "../tasks/task-parts.js";
import {
  createSnapshot,
  environmentKey,
  LOCAL_SNAPSHOT_SCOPE,
  type SnapshotKeyInputs,
  snapshotsRoot,
  workspaceSnapshotsDir,
} from "./snapshot.js";

describe("createSnapshot", () => {
  it("lets concurrent builders of one snapshot share the first one finished, never leaving a gap", async () => {
    const home = tempHome();
    const repo = makeRepo({ "a.txt": "a\n" });
    const commit = git(repo, "rev-parse", "HEAD").trim();
    // Staggered setups, so that builders finish one after another while others are mid-build.
    const build = (delayMs: number) =>
      createSnapshot({
        location: { home, scope: LOCAL_SNAPSHOT_SCOPE, envKey: "k" },
        sourceRoot: repo,
        commit,
        prepare: async (checkout) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return git(checkout, "rev-parse", "HEAD^{tree}").trim();
        },
      });
    const built = await Promise.all([build(0), build(150), build(300), build(450)]);
    // Every builder was handed the same, existing snapshot: the first finished.
    expect(new Set(built.map((snapshot) => snapshot.meta.createdAt)).size).toBe(1);
    for (const snapshot of built) expect(existsSync(path.join(snapshot.dir, "a.txt"))).toBe(true);
    // Nothing was replaced (no stale copies set aside) and no scratch folder is left.
    expect(readdirSync(path.join(workspaceSnapshotsDir(home, "local"), "k"))).toEqual([commit]);
  });

  it("owns its objects, even when the source borrows its own from another repository", async () => {
    const home = tempHome();
    const upstream = makeRepo({ "a.txt": "a\n" });
    const source = mkdtempSync(path.join(os.tmpdir(), "quire-borrowing-"));
    git(source, "clone", "--quiet", "--shared", upstream, ".");
    const commit = git(source, "rev-parse", "HEAD").trim();
    const snapshot = await createSnapshot({
      location: { home, scope: LOCAL_SNAPSHOT_SCOPE, envKey: "k" },
      sourceRoot: source,
      commit,
      prepare: async (checkout) => git(checkout, "rev-parse", "HEAD^{tree}").trim(),
    });
    expect(existsSync(path.join(snapshot.dir, ".git", "objects", "info", "alternates"))).toBe(false);
    // Both repositories gone: the snapshot still reads its whole history.
    rmSync(upstream, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
    expect(git(snapshot.dir, "cat-file", "-p", `${commit}:a.txt`)).toBe("a\n");
    git(snapshot.dir, "fsck", "--no-dangling", "--connectivity-only");
  });

  it("shares no file with the source: setup writing into the snapshot's objects leaves the source's intact", async () => {
    const home = tempHome();
    const source = makeRepo({ "a.txt": "a\n", "b.txt": "b\n" });
    git(source, "gc", "--quiet"); // a pack, as real repositories have
    const commit = git(source, "rev-parse", "HEAD").trim();
    const objects = path.join(source, ".git", "objects");
    const before = filesUnder(objects).map((file) => [file, sha256(file)]);
    expect(before.length).toBeGreaterThan(0);
    await createSnapshot({
      location: { home, scope: LOCAL_SNAPSHOT_SCOPE, envKey: "k" },
      sourceRoot: source,
      commit,
      // As a hostile setup script could, in the checkout it is given: overwrite every object file in place.
      prepare: async (checkout) => {
        for (const file of filesUnder(path.join(checkout, ".git", "objects"))) {
          chmodSync(file, 0o644);
          writeFileSync(file, "corrupted", { flag: "r+" });
        }
        return "0".repeat(40);
      },
    });
    for (const [file, content] of before) expect(sha256(file!), file).toBe(content);
    git(source, "fsck", "--no-dangling");
  });
});

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("environmentKey and where snapshots live", () => {
  const environment = {
    ...defaultEnvironment(),
    setupScript: "make deps",
    secrets: [{ name: "TOKEN", version: "v1" }],
  };
  const scope = { workspace: "team-a", environment: "env-1" };
  const key = (changes: Partial<SnapshotKeyInputs> = {}) =>
    environmentKey({ scope, repo: "/srv/repo", environment, ...changes });

  it("differs by workspace, stored environment, any part of the definition and any secret version", () => {
    const keys = [
      key(),
      key({ scope: { ...scope, workspace: "team-b" } }),
      key({ scope: { ...scope, environment: "env-2" } }),
      key({ environment: { ...environment, maintenanceScript: "make" } }),
      key({ environment: { ...environment, checks: ["npm test"] } }),
      key({ environment: { ...environment, secrets: [{ name: "TOKEN", version: "v2" }] } }),
      key({ repo: "/srv/other" }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // Where a definition came from, and the order of its keys, are not what it is.
    expect(key({ environment: { ...environment, sources: ["elsewhere"] } })).toBe(key());
    const reordered = Object.fromEntries(Object.entries(environment).reverse()) as typeof environment;
    expect(key({ environment: reordered })).toBe(key());
  });

  it("keeps each workspace's snapshots in its own folder, whatever its id", () => {
    const home = "/q";
    const dirs = ["local", "team-a", "../local", "ws-x/../local", "a/b"].map((id) => workspaceSnapshotsDir(home, id));
    expect(new Set(dirs).size).toBe(dirs.length);
    for (const dir of dirs) expect(path.dirname(dir)).toBe(snapshotsRoot(home));
    expect(dirs[0]).toBe(path.join(snapshotsRoot(home), "ws-local"));
  });
});
