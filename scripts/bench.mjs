// Benchmarks (not tests): `npm run bench`. Prints Markdown tables; results go in docs/benchmarks.md.
//   BENCH_RUNS=N     runs of the end-to-end task (default 5)
//   CODEX_BIN=path   also drive Codex CLI with the same scripted model, side by side
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSandbox } from "../packages/core/dist/index.js";
import { startScriptedModelServer } from "../packages/testing/dist/index.js";
import { conversationPrefixOk, FIX_PATCH, makeFixRepo, median, percentile, run } from "./bench-helpers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const quireBin = path.join(root, "packages/cli/bin/quire.js");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const codexBin = process.env.CODEX_BIN;

/** The same four model turns for both agents, in each one's own tool shapes. */
function fixScript(agent) {
  const shell = (cmd) =>
    agent === "quire"
      ? { name: "shell", arguments: { command: ["bash", "-lc", cmd] } }
      : { name: "exec_command", arguments: { cmd, tty: false } };
  const patch =
    agent === "quire"
      ? { name: "apply_patch", arguments: { input: FIX_PATCH } }
      : shell(`apply_patch <<'EOF'\n${FIX_PATCH}\nEOF`);
  return [
    { toolCalls: [shell("node test.js")] },
    { toolCalls: [patch] },
    { toolCalls: [shell("node test.js")] },
    { text: "Fixed add in src/add.js:2; node test.js passes." },
  ];
}

async function runAgent(agent) {
  const codexSandbox = agent === "codex" ? ["-s", "workspace-write"] : ["--dangerously-bypass-approvals-and-sandbox"];
  const model = await startScriptedModelServer(fixScript(agent === "quire" ? "quire" : "codex"));
  const repo = makeFixRepo();
  const home = mkdtempSync(path.join(os.tmpdir(), `bench-${agent}-home-`));
  let argv;
  let env;
  if (agent === "quire") {
    argv = [
      process.execPath,
      quireBin,
      "exec",
      "--json",
      "--provider",
      "openai",
      "-m",
      "gpt-5-codex",
      "fix the failing test",
    ];
    env = { QUIRE_HOME: home, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "bench" };
  } else {
    writeFileSync(
      path.join(home, "config.toml"),
      `model = "gpt-5-codex"\nmodel_provider = "scripted"\n[model_providers.scripted]\nname = "scripted"\nbase_url = "${model.url}"\nwire_api = "responses"\nenv_key = "OPENAI_API_KEY"\n`,
    );
    argv = [codexBin, "exec", "--json", "--skip-git-repo-check", ...codexSandbox, "fix the failing test"];
    env = { CODEX_HOME: home, OPENAI_API_KEY: "bench" };
  }
  const started = performance.now();
  const result = await run(argv, { cwd: repo, env: { PATH: process.env.PATH, HOME: home, ...env } });
  const wallMs = performance.now() - started;
  await model.close();
  const fixedInPlace = readFileSync(path.join(repo, "src/add.js"), "utf8").includes("a + b");
  const fixedInDiff = result.stdout.includes("+  return a + b;");
  return {
    wallMs,
    ok: result.code === 0 && model.requests.length === 4 && (fixedInPlace || fixedInDiff),
    requests: model.requests.length,
    firstBytes: model.requests[0]?.rawBytes ?? 0,
    lastBytes: model.requests.at(-1)?.rawBytes ?? 0,
    appendOnly: model.requests.every((request, i) => i === 0 || conversationPrefixOk(model.requests[i - 1], request)),
  };
}

async function endToEnd(agent) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await runAgent(agent));
  const walls = results.map((r) => r.wallMs);
  const last = results.at(-1);
  return {
    agent,
    ok: results.every((r) => r.ok),
    median: median(walls),
    min: Math.min(...walls),
    firstBytes: last.firstBytes,
    lastBytes: last.lastBytes,
    appendOnly: results.every((r) => r.appendOnly),
  };
}

async function commandOverhead() {
  const workspace = mkdtempSync(path.join(os.tmpdir(), "bench-sandbox-"));
  const iterations = 50;
  const time = async (fn) => {
    const samples = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    return samples;
  };
  const bare = await time(() => run(["true"], { cwd: workspace }));
  const rows = [["bare spawn", bare]];
  for (const backend of ["none", "bwrap"]) {
    const sandbox = createSandbox(backend, { workspace, writable: true, network: false });
    const exec = () => sandbox.exec({ argv: ["true"], cwd: workspace, timeoutMs: 10_000, maxOutputBytes: 4096 });
    await exec();
    rows.push([`sandbox ${backend}`, await time(exec)]);
  }
  return rows.map(([name, samples]) => ({ name, median: median(samples), p95: percentile(samples, 95) }));
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(
  `## quire bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores\n`,
);
console.log(`### Scripted fix task (4 model turns), ${runs} runs each\n`);
console.log("| agent | all runs correct | median wall | min wall | first request | last request | append-only |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
// "codex" runs with its own workspace-write sandbox; "codex-unsandboxed" with it bypassed.
const agents = ["quire", ...(codexBin && existsSync(codexBin) ? ["codex", "codex-unsandboxed"] : [])];
for (const agent of agents) {
  const r = await endToEnd(agent);
  console.log(
    `| ${agent} | ${r.ok ? "yes" : "NO"} | ${fmt(r.median)} | ${fmt(r.min)} | ${r.firstBytes} B | ${r.lastBytes} B | ${r.appendOnly ? "yes" : "no"} |`,
  );
}
if (agents.length === 1) console.log("\n(Codex CLI not measured: set CODEX_BIN to compare side by side.)");
console.log("\n### Command overhead (`true`, 50 runs each)\n");
console.log("| how | median | p95 |");
console.log("| --- | --- | --- |");
for (const row of await commandOverhead()) console.log(`| ${row.name} | ${fmt(row.median)} | ${fmt(row.p95)} |`);

const { environmentBench } = await import("./bench-environments.mjs");
console.log("\n### Task-ready time from a cached environment (10 tasks per size)\n");
console.log(
  "| files | cold preparation (clone + setup + snapshot) | ready, median | ready, p95 | first command done, median | copy-on-write |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of await environmentBench()) {
  console.log(
    `| ${row.files} | ${fmt(row.coldMs)} | ${fmt(row.readyMedian)} | ${fmt(row.readyP95)} | ${fmt(row.firstMedian)} | ${row.overlay ? "overlayfs" : "copy"} |`,
  );
}

// Finishing a task and the fixed cost per task (issue 12), at 1k / 10k / 50k files and with a 200 MB
// file. BENCH_FINISH=0 skips it; its own knobs are at the top of scripts/bench-finish.mjs.
if (process.env.BENCH_FINISH !== "0") {
  const { finishBench, printFinishBench } = await import("./bench-finish.mjs");
  printFinishBench(await finishBench());
}

// The server under load (issue 4): many tasks on `quire serve`, and `quire worker` processes on one
// PostgreSQL queue. BENCH_SERVER=0 skips it; its own knobs are at the top of scripts/bench-server.mjs.
if (process.env.BENCH_SERVER !== "0") {
  const { printServerBench, serverBench } = await import("./bench-server.mjs");
  printServerBench(await serverBench());
}
