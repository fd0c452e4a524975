// Finishing a task and Quire's fixed cost per task, on a cached environment, for repositories of
// 1k / 10k / 50k files and one with a 200 MB file. Imported by scripts/bench.mjs; alone:
//   npm run build && node scripts/bench-finish.mjs
//   BENCH_FINISH_RUNS=N     warm tasks per repository (default 5)
//   BENCH_FINISH_SIZES=...  e.g. "1000,10000" or "1000+200" (1000 files and a 200 MB file)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  attachSnapshot,
  createModelClient,
  defaultAgentLimits,
  defaultEnvironment,
  detachDiskLayer,
  detachSnapshot,
  diskBudgetOf,
  LOCAL_SNAPSHOT_SCOPE,
  LocalTaskStore,
  startTask,
} from "../packages/core/dist/index.js";
import { taskDiff } from "../packages/core/dist/tasks/changed-diff.js";
import { workspaceDiff } from "../packages/core/dist/tasks/sandboxed-git.js";
import { taskOverlayLayers } from "../packages/core/dist/tasks/task-parts.js";
import { startScriptedModelServer } from "../packages/testing/dist/index.js";
import { syntheticRepo } from "./bench-environments.mjs";
import { median } from "./bench-helpers.mjs";

const environment = { ...defaultEnvironment(), setupScript: "true" };

/**
 * One task: the model runs one command (edit a file, add one), then answers. Times: the whole
 * run, the model calls, the commands, and from the end of the last model call to task.completed.
 */
async function oneTask(home, repo, index) {
  const edit = `sed -i 's/file/FILE/' d0/f${index % 100}.txt && printf 'new\\n' > d0/new${index}.txt`;
  const server = await startScriptedModelServer([
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", edit] } }] },
    { text: "done" },
  ]);
  const client = createModelClient({ provider: "openai", model: "bench", baseUrl: server.url, apiKey: "bench" });
  let modelMs = 0;
  let lastModelEnd = 0;
  const model = {
    provider: client.provider,
    model: client.model,
    async complete(request, onEvent) {
      const started = performance.now();
      try {
        return await client.complete(request, onEvent);
      } finally {
        lastModelEnd = performance.now();
        modelMs += lastModelEnd - started;
      }
    },
  };
  let commandMs = 0;
  let completedAt = 0;
  let startedAt = 0;
  const started = performance.now();
  const result = await startTask({
    home,
    repo,
    mode: "code",
    prompt: "change a file",
    model,
    sandbox: "bwrap",
    limits: defaultAgentLimits,
    contextWindow: 200_000,
    signal: new AbortController().signal,
    environmentFor: async () => ({ environment, secretValues: {}, snapshotScope: LOCAL_SNAPSHOT_SCOPE }),
    onStarted: () => (startedAt = performance.now()),
    onEvent: (event) => {
      if (event.type === "item.completed" && event.item.type === "command_execution") {
        commandMs += event.item.duration_ms ?? 0;
      }
      if (event.type === "task.completed") completedAt = performance.now();
    },
  });
  const wallMs = performance.now() - started;
  await server.close();
  const ok =
    result.status === "completed" && result.diff.includes("+FILE") && result.diff.includes(`d0/new${index}.txt`);
  if (!ok) throw new Error(`bench task ${index} did not do its change: ${result.status} ${result.reason ?? ""}`);
  return {
    record: result.record,
    wallMs,
    finishMs: completedAt - lastModelEnd,
    fixedMs: wallMs - modelMs - commandMs,
    // Of the fixed cost: preparing (to the workspace mounted), and releasing it after the last event.
    prepareMs: startedAt - started,
    releaseMs: started + wallMs - completedAt,
  };
}

/** The diff step alone on a finished task's workspace: from its changes, and the whole tree (before). */
async function diffStep(home, record, runs = 3) {
  const taskDir = new LocalTaskStore(home).taskDir(record.id);
  await attachSnapshot({
    taskDir,
    snapshotDir: record.snapshotDir,
    overlay: record.overlay,
    diskBudget: diskBudgetOf(environment),
  });
  const options = {
    backend: "bwrap",
    workspace: record.workspace,
    readOnlyPaths: record.readOnlyPaths,
    base: record.baseTree,
  };
  const time = async (fn) => {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    return median(samples);
  };
  try {
    const method = (await taskDiff({ ...options, ...taskOverlayLayers(taskDir, record) })).method;
    return {
      method,
      changesMs: await time(() => taskDiff({ ...options, ...taskOverlayLayers(taskDir, record) })),
      wholeMs: await time(() => workspaceDiff(options)),
    };
  } finally {
    await detachSnapshot(taskDir, record.overlay);
    await detachDiskLayer(taskDir);
  }
}

/** "1000" → 1000 files; "1000+200" → 1000 files and a 200 MB file. */
function parseSize(spec) {
  const [files, mb] = spec.split("+").map(Number);
  return { files, bigBytes: (mb ?? 0) * 1024 * 1024, label: mb ? `${files} + ${mb} MB file` : `${files}` };
}

export async function finishBench(
  sizes = (process.env.BENCH_FINISH_SIZES ?? "1000,10000,50000,1000+200").split(","),
  runs = Number(process.env.BENCH_FINISH_RUNS ?? 5),
) {
  const rows = [];
  for (const size of sizes.map(parseSize)) {
    const repo = syntheticRepo(size.files, size.bigBytes);
    const home = mkdtempSync(path.join(os.tmpdir(), "bench-finish-home-"));
    try {
      const cold = await oneTask(home, repo, 0); // makes the snapshot
      const warm = [];
      for (let i = 1; i <= runs; i++) warm.push(await oneTask(home, repo, i));
      const step = await diffStep(home, warm.at(-1).record);
      // `quire exec` checks the user's checkout for uncommitted changes beside the preparation
      // (git status: a stat of every tracked file); a server names the commit and skips it.
      const dirtyCheck = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repo });
        dirtyCheck.push(performance.now() - t);
      }
      console.error(`bench-finish: ${size.label} done (load ${os.loadavg()[0].toFixed(1)})`);
      rows.push({
        label: size.label,
        coldWallMs: cold.wallMs,
        finishMs: median(warm.map((w) => w.finishMs)),
        finishMax: Math.max(...warm.map((w) => w.finishMs)),
        fixedMs: median(warm.map((w) => w.fixedMs)),
        fixedMax: Math.max(...warm.map((w) => w.fixedMs)),
        prepareMs: median(warm.map((w) => w.prepareMs)),
        releaseMs: median(warm.map((w) => w.releaseMs)),
        dirtyCheckMs: median(dirtyCheck),
        ...step,
      });
    } finally {
      // Never hides the error that got here (a background git may still be writing in `repo`).
      rmSync(home, { recursive: true, force: true, maxRetries: 3 });
      try {
        rmSync(repo, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        console.error(`bench-finish: could not remove ${repo}: ${error.message}`);
      }
    }
  }
  return rows;
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;

export function printFinishBench(rows, runs = Number(process.env.BENCH_FINISH_RUNS ?? 5)) {
  console.log(`\n### Finishing a task and fixed cost per task, cached environment (${runs} warm tasks per size)\n`);
  console.log(
    "| files | finishing, median (max) | fixed cost, median (max) | of which preparing | (dirty check of the checkout, alone) | of which releasing | diff step: from changes | diff step: whole tree (before) | first task (cold) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${fmt(r.finishMs)} (${fmt(r.finishMax)}) | ${fmt(r.fixedMs)} (${fmt(r.fixedMax)}) | ${fmt(r.prepareMs)} | ${fmt(r.dirtyCheckMs)} | ${fmt(r.releaseMs)} | ${fmt(r.changesMs)} (${r.method}) | ${fmt(r.wholeMs)} | ${fmt(r.coldWallMs)} |`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  printFinishBench(await finishBench());
  console.log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
}
