import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { tempHome } from "../../../../test/helpers/quire.js";
import { createSnapshot, snapshotsRoot } from "./snapshot.js";

describe("createSnapshot", () => {
  it("lets concurrent builders of one snapshot share the first one finished, never leaving a gap", async () => {
    const home = tempHome();
    const repo = makeRepo({ "a.txt": "a\n" });
    const commit = git(repo, "rev-parse", "HEAD").trim();
    // Staggered setups, so that builders finish one after another while others are mid-build.
    const build = (delayMs: number) =>
      createSnapshot({
        home,
        envKey: "k",
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
    expect(readdirSync(path.join(snapshotsRoot(home), "k"))).toEqual([commit]);
  });
});
