// The diff taken from the overlay's upper layer must be exactly the whole-tree diff
// (workspaceDiff) of the same workspace, whatever the task did: each case changes a fresh
// copy-on-write view of one snapshot with real commands, then compares the two.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { overlaySupported } from "../environments/overlay.js";
import { taskDiff } from "./changed-diff.js";
import { attachSnapshot, detachSnapshot } from "./prepare.js";
import { workspaceDiff, workspaceTree } from "./sandboxed-git.js";
import { changesFromUpper } from "./upper-changes.js";

const root = mkdtempSync(path.join(os.tmpdir(), "quire-changed-diff-"));
const supported = await overlaySupported(root);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sh = (cwd: string, script: string) => execFileSync("bash", ["-c", script], { cwd, encoding: "utf8" });

/** A snapshot as setup leaves one: a checkout with tracked, tracked-but-ignored and generated files. */
function makeSnapshot(): string {
  const source = path.join(root, "source");
  mkdirSync(source);
  sh(
    source,
    [
      "git init -q",
      "mkdir -p src/lib docs build assets old/deep tools",
      "printf 'export const a = 1;\\n' > src/a.js",
      "printf 'export const b = 2;\\n' > src/lib/b.js",
      "printf 'keep\\n' > src/lib/c.js",
      "printf '# Readme\\n' > README.md",
      "printf 'node_modules/\\nbuild/\\n*.log\\n' > .gitignore",
      "printf 'tracked although ignored\\n' > build/kept.txt",
      "printf '\\0\\1\\2binary-v1\\0' > assets/logo.bin",
      "printf 'x\\n' > old/one.txt && printf 'y\\n' > old/deep/two.txt",
      "printf '#!/bin/sh\\necho hi\\n' > tools/run.sh",
      "ln -s src/a.js link-to-a",
      "printf 'weird\\n' > 'name with *star* and :colon'",
      "git add -A && git add -f build/kept.txt",
      "git -c user.email=a@b -c user.name=n commit -qm base",
    ].join(" && "),
  );
  const snapshot = path.join(root, "snapshot");
  sh(root, `git clone -q --no-hardlinks ${source} ${snapshot}`);
  // What a setup script would leave: an ignored dependency folder and a generated, unignored file.
  sh(
    snapshot,
    "mkdir -p node_modules/pkg && printf 'dep\\n' > node_modules/pkg/index.js && printf 'gen\\n' > generated.txt",
  );
  return snapshot;
}

const snapshot = supported ? makeSnapshot() : "";
const base = supported
  ? await workspaceTree({
      backend: "bwrap",
      workspace: snapshot,
      readOnlyPaths: [],
      head: sh(snapshot, "git rev-parse HEAD").trim(),
    })
  : "";
let taskCount = 0;

/** A fresh view of the snapshot, changed by `script`; both diffs of it. */
async function diffsAfter(script: string, cacheDir?: string) {
  const taskDir = path.join(root, `task-${taskCount++}`);
  mkdirSync(taskDir);
  await attachSnapshot({ taskDir, snapshotDir: snapshot, overlay: true });
  const workspace = path.join(taskDir, "repo");
  try {
    sh(workspace, script);
    const common = { backend: "bwrap" as const, workspace, readOnlyPaths: [], base };
    const fromChanges = await taskDiff({
      ...common,
      overlay: {
        upper: path.join(taskDir, "upper"),
        lower: snapshot,
        scratchDir: path.join(taskDir, "diff-paths"),
        ...(cacheDir ? { cacheDir } : {}),
      },
    });
    // What taking the diff wrote into the task's layer (before the whole-tree diff writes its own).
    const upperGit = path.join(taskDir, "upper", ".git");
    const wroteToGit = existsSync(upperGit) ? sh(upperGit, "find . -type f").trim() : "";
    const whole = await workspaceDiff(common);
    return { ...fromChanges, whole, wroteToGit };
  } finally {
    await detachSnapshot(taskDir, true);
  }
}

describe.skipIf(!supported)("taskDiff from the overlay's upper layer", () => {
  const cases: [string, string, string[]][] = [
    ["an edit", "printf 'export const a = 3;\\n' > src/a.js", ["-export const a = 1;", "+export const a = 3;"]],
    ["files in new directories", "mkdir -p new/deeper && printf 'n\\n' > new/deeper/n.txt", ["new file mode", "+n"]],
    ["a deletion", "rm src/lib/b.js", ["deleted file mode 100644", "-export const b = 2;"]],
    ["a rename", "mv src/lib/c.js src/lib/renamed.js", ["rename from src/lib/c.js", "rename to src/lib/renamed.js"]],
    ["a mode change", "chmod +x tools/run.sh", ["old mode 100644", "new mode 100755"]],
    [
      "symlinks added, retargeted, and replacing a file",
      "ln -sfn README.md link-to-a && ln -s docs new-link && rm README.md && ln -s src/a.js README.md",
      ["+README.md", "new file mode 120000", "+docs"],
    ],
    [
      "binary files changed and added",
      "printf '\\0\\1\\2binary-v2\\0' > assets/logo.bin && head -c 3000 /dev/urandom > assets/new.bin",
      ["GIT binary patch", "assets/new.bin"],
    ],
    [
      "a directory deleted then made again",
      "rm -rf src && mkdir -p src/lib && printf 'export const a = 1;\\n' > src/a.js && printf 'other\\n' > src/lib/new.js",
      ["deleted file mode 100644", "src/lib/b.js", "+other"],
    ],
    ["a directory deleted", "rm -rf old", ["old/deep/two.txt", "old/one.txt"]],
    ["a directory renamed", "mv old moved", ["rename from old/one.txt", "rename to moved/deep/two.txt"]],
    [
      "a directory replaced by a file, and a file by a directory",
      "rm -rf docs assets && printf 'now a file\\n' > assets && rm tools/run.sh && mkdir tools/run.sh && printf 'inner\\n' > tools/run.sh/x",
      ["+now a file", "tools/run.sh/x", "deleted file mode"],
    ],
    [
      "a .gitignore that now lets in files the task never touched",
      "printf 'build/\\n' > .gitignore && printf 'log\\n' > x.log",
      ["node_modules/pkg/index.js", "b/x.log"],
    ],
    [
      "new files under ignored folders, and a tracked file under one",
      "printf 'more\\n' > node_modules/pkg/more.js && printf 'changed\\n' > build/kept.txt && printf 'o\\n' > build/out.o",
      ["-tracked although ignored", "+changed"],
    ],
    [
      "odd names",
      "printf 'changed\\n' > 'name with *star* and :colon' && printf 'u\\n' > 'ünï cödé.txt' && printf 'nl\\n' > $'new\\nline'",
      ["star", "+u"],
    ],
    ["a generated file the setup left, changed", "printf 'gen2\\n' > generated.txt", ["-gen", "+gen2"]],
    [
      "a new ignored folder of many files beside a new source folder",
      "mkdir -p node_modules/more lib2/x && for i in $(seq 300); do printf '%s\\n' $i > node_modules/more/f$i.js; done && printf 'l\\n' > lib2/x/l.js",
      ["b/lib2/x/l.js"],
    ],
  ];

  for (const [name, script, expected] of cases) {
    it(`is the whole-tree diff after ${name}`, async () => {
      const taken = await diffsAfter(script);
      expect(taken.method).toBe("changes");
      expect(taken.diff).toBe(taken.whole);
      for (const text of expected) expect(taken.diff).toContain(text);
    });
  }

  it("lists the base's submodules again when the kept list is half-written, and keeps it whole", async () => {
    const cacheDir = path.join(root, "gitlinks-cache");
    mkdirSync(cacheDir, { recursive: true });
    const kept = path.join(cacheDir, `gitlinks-${base}`);
    writeFileSync(kept, '["c3ViL');
    const taken = await diffsAfter("printf 'export const a = 2;\\n' > src/a.js", cacheDir);
    expect(taken.method).toBe("changes");
    expect(taken.diff).toBe(taken.whole);
    expect(JSON.parse(readFileSync(kept, "utf8"))).toEqual([]);
  });

  it("is empty when files were changed back to what they were", async () => {
    const taken = await diffsAfter(
      "printf 'temp\\n' > src/a.js && printf 'export const a = 1;\\n' > src/a.js && touch README.md && chmod +x tools/run.sh && chmod -x tools/run.sh && mkdir scratch && rmdir scratch",
    );
    expect(taken.method).toBe("changes");
    expect(taken.diff).toBe("");
    expect(taken.whole).toBe("");
    // The unchanged file's object is the snapshot's: git must not "freshen" it (a copy into the layer).
    expect(taken.wroteToGit).toBe("");
  });

  it("falls back to the whole tree when git refuses a path beyond a link that replaced a directory", async () => {
    const taken = await diffsAfter("rm -rf src/lib && ln -s ../old src/lib");
    expect(taken.method).toBe("whole tree");
    expect(taken.diff).toBe(taken.whole);
    for (const text of ["deleted file mode 100644", "src/lib/b.js", "new file mode 120000"]) {
      expect(taken.diff).toContain(text);
    }
  });

  it("falls back to the whole tree for a repository nested in the workspace, with the same answer", async () => {
    const taken = await diffsAfter(
      "mkdir inner && cd inner && git init -q && printf 'i\\n' > i.txt && git add i.txt && git -c user.email=a@b -c user.name=n commit -qm i && cd .. && printf 'export const a = 5;\\n' > src/a.js",
    );
    expect(taken.method).toBe("whole tree");
    expect(taken.diff).toBe(taken.whole);
    expect(taken.diff).toContain("+export const a = 5;");
  });

  it("lists what changed, deletions and .gitignore folders included, and gives up past the path limit", async () => {
    const taskDir = path.join(root, `task-${taskCount++}`);
    mkdirSync(taskDir);
    await attachSnapshot({ taskDir, snapshotDir: snapshot, overlay: true });
    const workspace = path.join(taskDir, "repo");
    try {
      sh(
        workspace,
        "rm -rf old && printf 'x\\n' > src/a.js && printf 'n\\n' >> src/.gitignore && mkdir -p fresh/a/b && touch fresh/a/b/c && git status >/dev/null",
      );
      const layout = { upper: path.join(taskDir, "upper"), lower: snapshot, merged: workspace };
      const changes = await changesFromUpper(layout);
      const names = (list: Buffer[] | undefined) => (list ?? []).map((p) => p.toString()).sort();
      // The workspace's own .git (git status wrote its index) is not among them.
      // A new directory is one path, however much it holds.
      expect(names(changes?.paths)).toEqual(["fresh", "old", "src/.gitignore", "src/a.js"]);
      expect(names(changes?.rescan)).toEqual(["src"]);
      expect(await changesFromUpper(layout, 3)).toBeNull();
    } finally {
      await detachSnapshot(taskDir, true);
    }
  });

  it("fails, rather than diffing against nothing, when the base is not there", async () => {
    const taskDir = path.join(root, `task-${taskCount++}`);
    mkdirSync(taskDir);
    await attachSnapshot({ taskDir, snapshotDir: snapshot, overlay: true });
    const workspace = path.join(taskDir, "repo");
    try {
      writeFileSync(path.join(workspace, "README.md"), "changed\n");
      const missing = "0123456789abcdef0123456789abcdef01234567";
      await expect(
        taskDiff({
          backend: "bwrap",
          workspace,
          readOnlyPaths: [],
          base: missing,
          overlay: { upper: path.join(taskDir, "upper"), lower: snapshot, scratchDir: path.join(taskDir, "d") },
        }),
      ).rejects.toThrow(/git in the workspace failed/);
    } finally {
      await detachSnapshot(taskDir, true);
    }
  });
});
