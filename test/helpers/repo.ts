import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

/** A real git repository in a temp dir with the given files committed. */
export function makeRepo(files: Record<string, string>, prefix = "quire-repo-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "Dev");
  writeFiles(dir, files);
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", "initial");
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A small project whose test fails until `add` is fixed. */
export const failingTestRepo: Record<string, string> = {
  "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "test.js": [
    'import { add } from "./src/add.js";',
    "if (add(2, 3) !== 5) {",
    '  console.error("FAIL: add(2, 3) = " + add(2, 3));',
    "  process.exit(1);",
    "}",
    'console.log("ok: 1 test passed");',
    "",
  ].join("\n"),
  "package.json": '{ "name": "tiny", "type": "module", "private": true }\n',
  "AGENTS.md": "Run the tests with `node test.js`.\n",
};

export const fixAddPatch = `*** Begin Patch
*** Update File: src/add.js
@@ export function add(a, b) {
-  return a - b;
+  return a + b;
*** End Patch`;
