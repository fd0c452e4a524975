// Task-ready time from a cached environment, and cold preparation, for repositories of
// 1k, 10k and 50k files. Imported by scripts/bench.mjs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createSandbox,
  defaultEnvironment,
  detachSnapshot,
  inspectSource,
  prepareTaskWorkspace,
} from "../packages/core/dist/index.js";
import { median, percentile } from "./bench-helpers.mjs";

/** `files` small files in folders of 100, plus one file of `bigFileBytes` random bytes when given. */
export function syntheticRepo(files, bigFileBytes = 0) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${files}-`));
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub);
    writeFileSync(path.join(sub, `f${i}.txt`), `file ${i}\n`);
  }
  if (bigFileBytes > 0)
    execFileSync("head", ["-c", String(bigFileBytes), "/dev/urandom"], {
      stdio: ["ignore", openSync(path.join(dir, "big.bin"), "w"), "inherit"],
    });
  const git = (...args) => execFileSync("git", args, { cwd: dir, maxBuffer: 1 << 28 });
  git("init", "-q");
  git("add", "-A");
  git("-c", "gc.auto=0", "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "synthetic");
  return dir;
}

async function prepare(home, source, taskDir) {
  const environment = { ...defaultEnvironment(), setupScript: "true" };
  return prepareTaskWorkspace({
    home,
    taskDir,
    branch: `quire/${path.basename(taskDir)}`,
    source,
    environment,
    secretValues: {},
    sandbox: "bwrap",
    signal: new AbortController().signal,
    nextItemId: () => "item",
    emitItem: () => {},
    redact: (text) => text,
  });
}

export async function environmentBench(sizes = [1000, 10000, 50000], warmRuns = 10) {
  const rows = [];
  for (const files of sizes) {
    const repo = syntheticRepo(files);
    const home = mkdtempSync(path.join(os.tmpdir(), "bench-env-home-"));
    const source = await inspectSource(repo);
    const coldStart = performance.now();
    const cold = await prepare(home, source, path.join(home, "tasks", "cold"));
    const coldMs = performance.now() - coldStart;
    await detachSnapshot(path.join(home, "tasks", "cold"), cold.overlay);
    const ready = [];
    const firstCommand = [];
    for (let i = 0; i < warmRuns; i++) {
      const taskDir = path.join(home, "tasks", `warm${i}`);
      // "Task created" is when the repository has been inspected and the task folder named.
      const created = performance.now();
      const warmSource = await inspectSource(repo);
      const prepared = await prepare(home, warmSource, taskDir);
      ready.push(performance.now() - created);
      const sandbox = createSandbox("bwrap", {
        workspace: prepared.workspace,
        writable: true,
        network: false,
        diskUsageRoot: path.join(taskDir, "upper"),
      });
      await sandbox.exec({ argv: ["true"], cwd: prepared.workspace, timeoutMs: 10_000, maxOutputBytes: 1024 });
      firstCommand.push(performance.now() - created);
      await detachSnapshot(taskDir, prepared.overlay);
    }
    rows.push({
      files,
      coldMs,
      readyMedian: median(ready),
      readyP95: percentile(ready, 95),
      firstMedian: median(firstCommand),
      overlay: cold.overlay,
    });
    rmSync(home, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
  return rows;
}
