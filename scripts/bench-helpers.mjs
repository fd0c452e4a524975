// Small helpers for scripts/bench.mjs.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const FIX_PATCH = `*** Begin Patch
*** Update File: src/add.js
@@ export function add(a, b) {
-  return a - b;
+  return a + b;
*** End Patch`;

const files = {
  "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "test.js":
    'import { add } from "./src/add.js";\nif (add(2, 3) !== 5) {\n  console.error("FAIL");\n  process.exit(1);\n}\nconsole.log("ok");\n',
  "package.json": '{ "name": "tiny", "type": "module", "private": true }\n',
  "AGENTS.md": "Run the tests with `node test.js`.\n",
};

export function makeFixRepo() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-repo-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const git = (...args) => execFileSync("git", args, { cwd: dir });
  git("init", "-q");
  git("-c", "user.email=b@example.com", "-c", "user.name=b", "add", "-A");
  git("-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "init");
  return dir;
}

/** Runs a command to completion without blocking the event loop (the scripted model lives in this process). */
export function run(argv, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** True when `next`'s Responses input starts with all of `previous`'s. */
export function conversationPrefixOk(previous, next) {
  const a = previous.body.input ?? [];
  const b = next.body.input ?? [];
  return a.every((item, i) => JSON.stringify(item) === JSON.stringify(b[i]));
}

export function median(values) {
  return percentile(values, 50);
}

export function percentile(values, p) {
  const sorted = [...values].sort((x, y) => x - y);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}
