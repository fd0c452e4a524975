import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { tempHome } from "../../../../test/helpers/quire.js";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { snapshotsRoot, workspaceSnapshotsDir } from "../environments/snapshot.js";
import { collectGarbage } from "./gc.js";

/** A snapshot folder (a real, self-contained clone) with its meta.json written `ageMs` ago. */
function snapshotAt(dir: string, ageMs: number): string {
  mkdirSync(dir, { recursive: true });
  const checkout = path.join(dir, "snapshot");
  git(dir, "clone", "--quiet", "--local", makeRepo({ "a.txt": "a\n" }), checkout);
  const commit = git(checkout, "rev-parse", "HEAD").trim();
  const baseTree = git(checkout, "rev-parse", "HEAD^{tree}").trim();
  const meta = path.join(dir, "meta.json");
  writeFileSync(meta, JSON.stringify({ commit, baseTree }));
  const when = new Date(Date.now() - ageMs);
  utimesSync(meta, when, when);
  return dir;
}

it("removes expired snapshots of every workspace, and of the unscoped layout of older homes, and keeps fresh ones", async () => {
  const home = tempHome();
  const day = 24 * 3600 * 1000;
  const expiredA = snapshotAt(path.join(workspaceSnapshotsDir(home, "team-a"), "key1", "c1"), 3 * day);
  const expiredB = snapshotAt(path.join(workspaceSnapshotsDir(home, "team-b"), "key1", "c1"), 3 * day);
  const fresh = snapshotAt(path.join(workspaceSnapshotsDir(home, "team-a"), "key2", "c2"), 0);
  const legacy = snapshotAt(path.join(snapshotsRoot(home), "oldkey", "c0"), 3 * day);

  const report = await collectGarbage({ home, snapshotTtlMs: day, taskRetentionMs: day });
  expect(report.snapshotsRemoved.sort()).toEqual([expiredA, expiredB, legacy].sort());
  for (const dir of [expiredA, expiredB, legacy]) expect(existsSync(dir)).toBe(false);
  expect(existsSync(fresh)).toBe(true);
});

it("removes a fresh snapshot whose commit object is gone, and keeps a whole one", async () => {
  const home = tempHome();
  const day = 24 * 3600 * 1000;
  const whole = snapshotAt(path.join(workspaceSnapshotsDir(home, "local"), "key", "c1"), 0);
  const broken = snapshotAt(path.join(workspaceSnapshotsDir(home, "local"), "key", "c2"), 0);
  const checkout = path.join(broken, "snapshot");
  const commit = git(checkout, "rev-parse", "HEAD").trim();
  rmSync(path.join(checkout, ".git", "objects", commit.slice(0, 2), commit.slice(2)));

  const report = await collectGarbage({ home, snapshotTtlMs: day, taskRetentionMs: day });
  expect(report.snapshotsRemoved).toEqual([broken]);
  expect(existsSync(broken)).toBe(false);
  expect(existsSync(whole)).toBe(true);
});

it("removes the old scratch workspace a server's worker left (workspace.json), not one a live round uses", async () => {
  const home = tempHome();
  const day = 24 * 3600 * 1000;
  const old = new Date(Date.now() - 3 * day).toISOString();
  const folder = (id: string, note: Record<string, unknown>) => {
    const taskDir = path.join(home, "tasks", id);
    mkdirSync(path.join(taskDir, "repo"), { recursive: true });
    writeFileSync(path.join(taskDir, "repo", "a.txt"), "work\n");
    writeFileSync(
      path.join(taskDir, "workspace.json"),
      JSON.stringify({ baseCommit: "c", workspace: path.join(taskDir, "repo"), readOnlyPaths: [], ...note }),
    );
    return taskDir;
  };
  const finished = folder("attempt1", { status: "completed", updatedAt: old });
  // Killed mid-round: "running", but its process is gone.
  const orphaned = folder("attempt2", { status: "running", pid: 2 ** 22 + 1, updatedAt: old });
  const live = folder("attempt3", { status: "running", pid: process.pid, updatedAt: old });
  const fresh = folder("attempt4", { status: "completed", updatedAt: new Date().toISOString() });

  const report = await collectGarbage({ home, snapshotTtlMs: day, taskRetentionMs: day });
  expect(report.workspacesRemoved.sort()).toEqual([finished, orphaned].sort());
  expect(existsSync(path.join(finished, "repo"))).toBe(false);
  expect(existsSync(path.join(orphaned, "repo"))).toBe(false);
  expect(existsSync(path.join(live, "repo"))).toBe(true);
  expect(existsSync(path.join(fresh, "repo"))).toBe(true);
});
