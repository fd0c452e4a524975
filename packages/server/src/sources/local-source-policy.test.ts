import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { git, makeRepo } from "../../../../test/helpers/repo.js";
import { checkLocalSource, localSourceRoots, LocalSourceRefusedError } from "./local-source-policy.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

describe("checkLocalSource", () => {
  const root = temp("quire-policy-root-");
  const home = path.join(root, "quire-home");
  mkdirSync(home);
  const policy = { restricted: true, roots: [root], home };

  it("accepts a repository under a root, and anything at all when unrestricted", async () => {
    const inside = path.join(root, "ok");
    git(root, "init", "--quiet", inside);
    await expect(checkLocalSource(inside, policy)).resolves.toBeUndefined();
    const elsewhere = makeRepo({ "a.txt": "a\n" });
    made.push(elsewhere);
    await expect(checkLocalSource(elsewhere, { ...policy, restricted: false })).resolves.toBeUndefined();
    await expect(checkLocalSource(elsewhere, policy)).rejects.toBeInstanceOf(LocalSourceRefusedError);
  });

  it("refuses Quire's home even under a root (other tenants' clones and snapshots live there)", async () => {
    const clone = path.join(home, "sources", "someone-elses");
    mkdirSync(path.dirname(clone), { recursive: true });
    git(home, "init", "--quiet", clone);
    await expect(checkLocalSource(clone, policy)).rejects.toThrow(/not a git repository under the directories/);
  });

  it("refuses a repository under a root whose objects are borrowed from outside (alternates)", async () => {
    const outside = makeRepo({ "secret.txt": "s\n" });
    made.push(outside);
    const borrower = path.join(root, "borrower");
    git(root, "init", "--quiet", borrower);
    writeFileSync(
      path.join(borrower, ".git", "objects", "info", "alternates"),
      `${path.join(outside, ".git", "objects")}\n`,
    );
    await expect(checkLocalSource(borrower, policy)).rejects.toBeInstanceOf(LocalSourceRefusedError);
  });

  it("allows nothing when no root is configured, and says so", async () => {
    const inside = path.join(root, "ok2");
    git(root, "init", "--quiet", inside);
    await expect(checkLocalSource(inside, { ...policy, roots: [] })).rejects.toThrow(
      /accepts no local repository paths/,
    );
  });
});

describe("localSourceRoots", () => {
  it("takes QUIRE_LOCAL_SOURCE_ROOTS over config.toml, and refuses relative roots", () => {
    expect(localSourceRoots({ QUIRE_LOCAL_SOURCE_ROOTS: "/srv/a:/srv/b" }, ["/c"])).toEqual(["/srv/a", "/srv/b"]);
    expect(localSourceRoots({}, ["/c"])).toEqual(["/c"]);
    expect(localSourceRoots({ QUIRE_LOCAL_SOURCE_ROOTS: "" }, ["/c"])).toEqual([]);
    expect(() => localSourceRoots({ QUIRE_LOCAL_SOURCE_ROOTS: "srv" }, undefined)).toThrow(/must be an absolute path/);
  });
});
