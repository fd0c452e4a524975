// apply_patch off the event loop (not a test): `npm run build && node scripts/bench-apply-patch.mjs`.
// Prints a Markdown table: wall time and the event loop's longest stall while a patch applies,
// in-process (applyPatch, as `quire apply-patch` does) and in a worker thread (the agent's tool).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { applyPatch, applyPatchInWorker } from "../packages/core/dist/index.js";
import { median } from "./bench-helpers.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 10);

/** A one-line fix in a 200-line file: what the agent sends most of the time. */
function smallCase(dir) {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
  writeFileSync(path.join(dir, "a.txt"), `${lines.join("\n")}\n`);
  return "*** Begin Patch\n*** Update File: a.txt\n@@\n line 99\n-line 100\n+line one hundred\n line 101\n*** End Patch";
}

/** Issue 11's stall: a 60 KB chunk of alike lines against a 40,000-line file, matching nowhere. */
function alikeLinesCase(dir) {
  writeFileSync(path.join(dir, "big.txt"), "x\n".repeat(40_000));
  const chunk = [...Array.from({ length: 20_000 }, () => " x"), "-not in the file", "+y"].join("\n");
  return `*** Begin Patch\n*** Update File: big.txt\n@@\n${chunk}\n*** End Patch`;
}

async function measure(apply, makeCase) {
  const walls = [];
  const stalls = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "quire-bench-patch-"));
    const patch = makeCase(dir);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const started = performance.now();
    await apply(dir, patch).catch(() => undefined);
    walls.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
    histogram.disable();
    stalls.push(histogram.max / 1e6);
    rmSync(dir, { recursive: true, force: true });
  }
  return { wall: median(walls), stall: Math.max(...stalls) };
}

const ways = {
  "in-process (applyPatch)": (dir, patch) => applyPatch(dir, patch),
  "worker thread (apply_patch tool)": (dir, patch) => applyPatchInWorker(dir, patch),
};
console.log(`| case | how | median wall (ms) | longest event-loop stall (ms) |`);
console.log(`|---|---|---:|---:|`);
for (const [caseName, makeCase] of Object.entries({
  "one-line fix, 200-line file": smallCase,
  "60 KB alike-lines chunk, 40,000-line file": alikeLinesCase,
})) {
  for (const [how, apply] of Object.entries(ways)) {
    const { wall, stall } = await measure(apply, makeCase);
    console.log(`| ${caseName} | ${how} | ${wall.toFixed(1)} | ${stall.toFixed(1)} |`);
  }
}
console.log(`\n${runs} runs each; Node ${process.version}, ${os.cpus().length} CPUs.`);
