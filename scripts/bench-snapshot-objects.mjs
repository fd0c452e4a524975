// What a self-contained snapshot costs: ways of cloning the user's repository into the snapshot,
// the check that a cached snapshot is whole before reuse, and bringing a newer commit into a
// task's workspace. Run after `npm run build`:
//   node scripts/bench-snapshot-objects.mjs [files] [commits] [runs]
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cachedSnapshotIsWhole, importCommit, snapshotIsWhole } from "../packages/core/dist/tasks/snapshot-objects.js";
import { median } from "./bench-helpers.mjs";

const [files = 5000, commits = 50, runs = 5] = process.argv.slice(2).map(Number);
const git = (cwd, ...args) => execFileSync("git", args, { cwd, maxBuffer: 1 << 28, encoding: "utf8" });

/** A repository of `files` files over `commits` commits (each touching a tenth of the files). */
function syntheticRepo() {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-objects-${files}-`));
  git(dir, "init", "-q");
  git(dir, "config", "gc.auto", "0"); // one gc at the end, none in the background
  for (let commit = 0; commit < commits; commit++) {
    for (let i = commit === 0 ? 0 : commit % 10; i < files; i += commit === 0 ? 1 : 10) {
      const sub = path.join(dir, `d${Math.floor(i / 100)}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(path.join(sub, `f${i}.txt`), `file ${i} version ${commit}\n${"x".repeat(200)}\n`);
    }
    git(dir, "add", "-A");
    git(dir, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", `c${commit}`);
  }
  git(dir, "gc", "-q");
  return dir;
}

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timedAsync(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const source = syntheticRepo();
const scratch = mkdtempSync(path.join(os.tmpdir(), "bench-objects-clones-"));
const size = git(source, "count-objects", "-vH")
  .split("\n")
  .find((line) => line.startsWith("size-pack"));
const ways = {
  "clone --shared (before: borrows the source's objects)": ["--shared"],
  "clone --local (hard links, same file system; unsafe: setup could write through them)": ["--local"],
  "clone --local --no-hardlinks (a copy; what Quire does)": ["--local", "--no-hardlinks"],
};
const rows = [];
for (const [name, flags] of Object.entries(ways)) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const target = path.join(scratch, `c${rows.length}-${run}`);
    times.push(timed(() => git(scratch, "clone", "-q", ...flags, "--no-checkout", source, target)));
    rmSync(target, { recursive: true, force: true });
  }
  rows.push([name, median(times)]);
}
const repackTimes = [];
for (let run = 0; run < runs; run++) {
  const target = path.join(scratch, `r${run}`);
  repackTimes.push(
    timed(() => {
      git(scratch, "clone", "-q", "--shared", "--no-checkout", source, target);
      git(target, "repack", "-a", "-d", "-q");
    }),
  );
  rmSync(target, { recursive: true, force: true });
}
rows.push(["clone --shared, then repack -a -d", median(repackTimes)]);

// A snapshot as prepare leaves it: checked out, then the check before reuse and an import.
const snapshot = path.join(scratch, "snapshot");
git(scratch, "clone", "-q", "--local", source, snapshot);
const head = git(snapshot, "rev-parse", "HEAD").trim();
const tree = git(snapshot, "rev-parse", "HEAD^{tree}").trim();
const checks = [];
for (let run = 0; run < runs; run++) {
  checks.push(
    await timedAsync(() => snapshotIsWhole({ backend: "bwrap", dir: snapshot, commit: head, baseTree: tree })),
  );
}
rows.push([`snapshotIsWhole (bwrap; commit and base tree, ${files} files)`, median(checks)]);
const check = { backend: "bwrap", dir: snapshot, commit: head, baseTree: tree };
await cachedSnapshotIsWhole(check); // the first reuse checks and keeps the answer
const cachedChecks = [];
for (let run = 0; run < runs; run++) cachedChecks.push(await timedAsync(() => cachedSnapshotIsWhole(check)));
rows.push(["cachedSnapshotIsWhole, later reuses (what a task pays)", median(cachedChecks)]);
writeFileSync(path.join(source, "d0", "f0.txt"), "a new commit\n");
git(source, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qam", "next");
const next = git(source, "rev-parse", "HEAD").trim();
const imports = [];
for (let run = 0; run < runs; run++) {
  const workspace = path.join(scratch, `w${run}`);
  git(scratch, "clone", "-q", "--local", "--no-checkout", snapshot, workspace);
  const importDir = path.join(scratch, `import${run}`);
  const args = { backend: "bwrap", sourceRoot: source, commit: next, workspace, scratchDir: importDir };
  imports.push(await timedAsync(() => importCommit({ ...args, have: head })));
  rmSync(workspace, { recursive: true, force: true });
}
rows.push(["importCommit, one new commit (bwrap)", median(imports)]);
const fullImports = [];
for (let run = 0; run < runs; run++) {
  const workspace = path.join(scratch, `f${run}`);
  git(scratch, "init", "-q", workspace);
  const importDir = path.join(scratch, `full${run}`);
  const args = { backend: "bwrap", sourceRoot: source, commit: next, workspace, scratchDir: importDir };
  fullImports.push(await timedAsync(() => importCommit({ ...args, have: "0".repeat(40) })));
  rmSync(workspace, { recursive: true, force: true });
}
rows.push(["importCommit, whole history (snapshot's commit rewritten away)", median(fullImports)]);

console.log(`${files} files, ${commits} commits, ${size}; median of ${runs} runs\n`);
console.log("| step | median |\n| --- | --- |");
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} ms |`);
rmSync(scratch, { recursive: true, force: true });
rmSync(source, { recursive: true, force: true });
