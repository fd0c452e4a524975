// Small helpers for the benchmark scripts (scripts/bench*.mjs).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { clearInterval, setInterval } from "node:timers";
import { TextDecoder } from "node:util";

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

/** Resident memory of one process in KiB (VmRSS), or undefined once it is gone. */
export function rssKb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return undefined;
  }
}

/** Every process below `pid` (children, grandchildren...), read from /proc/<pid>/task/<tid>/children. */
export function descendants(pid) {
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    let threads = [];
    try {
      threads = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of threads) {
      let children = "";
      try {
        children = readFileSync(`/proc/${parent}/task/${tid}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of children.split(" ").filter(Boolean).map(Number)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** RSS of a process and, separately, the sum over its descendants (KiB); undefined once it is gone. */
export function processTreeRss(pid) {
  const own = rssKb(pid);
  if (own === undefined) return undefined;
  let childrenKb = 0;
  let children = 0;
  for (const child of descendants(pid)) {
    const kb = rssKb(child);
    if (kb === undefined) continue;
    childrenKb += kb;
    children += 1;
  }
  return { ownKb: own, childrenKb, children };
}

/**
 * CPU time (user + system, ms) a process has used so far, and `children`: what its ended children
 * (and theirs) used, once reaped. Undefined once it is gone.
 */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are 14-17.
    const fields = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const ms = (ticks) => (ticks * 1000) / 100; // USER_HZ is 100 on Linux
    return { own: ms(fields[11] + fields[12]), children: ms(fields[13] + fields[14]) };
  } catch {
    return undefined;
  }
}

/** A process's main thread so far: time on a CPU and time runnable but waiting for one (ms, /proc/<pid>/schedstat). */
export function schedMs(pid) {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ").map(Number);
    return { onCpu: onCpu / 1e6, waiting: waiting / 1e6 };
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far (all cores, in USER_HZ ticks, from /proc/stat). */
export function machineCpu() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = ticks[3] + ticks[4]; // idle + iowait
  return { busy: total - idle, total };
}

/** A JSON request; the body comes back parsed when it is JSON, as text otherwise. */
export async function httpJson(url, method, body) {
  const response = await globalThis.fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/**
 * Reads Server-Sent Events until the server ends the stream: `onConnect(time)` once the response
 * headers are in, `onEvent({ id, data, receivedAt })` per event, stamped when its chunk arrived.
 */
export async function readSse(url, { signal, onConnect, onEvent }) {
  const response = await globalThis.fetch(url, { headers: { accept: "text/event-stream" }, signal });
  onConnect?.(Date.now());
  if (!response.body) throw new Error(`no event stream: ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body) {
    const receivedAt = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (id !== undefined && data !== undefined) onEvent({ id: Number(id), data: JSON.parse(data), receivedAt });
    }
  }
}

/** Samples the RSS of `pid` (and, apart, the sum over its descendants) every `everyMs`. */
export function sampleRss(pid, everyMs) {
  const samples = [];
  const take = () => {
    const sample = processTreeRss(pid);
    if (sample) samples.push(sample);
  };
  take();
  const timer = setInterval(take, everyMs);
  const most = (key) => samples.reduce((best, s) => (s[key] > best[key] ? s : best), samples[0]);
  return { stop: () => clearInterval(timer), peak: () => most("ownKb"), peakChildren: () => most("childrenKb") };
}

/**
 * CPU from now until the returned function is called, in cores (CPU seconds per second): the whole
 * machine, `pids` themselves, their ended children, and this process; and how long the main
 * threads of `pids` were runnable but waited for a CPU (a share of the wall time).
 */
export function cpuMeter(pids) {
  const at = Date.now();
  const load = os.loadavg()[0];
  const machine = machineCpu();
  const self = process.cpuUsage();
  const sum = (f) => pids.reduce((total, pid) => total + (f(pid) ?? 0), 0);
  const own = () => sum((pid) => cpuMs(pid)?.own);
  const children = () => sum((pid) => cpuMs(pid)?.children);
  const waited = () => sum((pid) => schedMs(pid)?.waiting);
  const [own0, children0, waited0] = [own(), children(), waited()];
  return () => {
    const ms = Date.now() - at;
    const now = machineCpu();
    const used = process.cpuUsage(self);
    return {
      load,
      machine: ((now.busy - machine.busy) / (now.total - machine.total)) * os.cpus().length,
      own: (own() - own0) / ms,
      children: (children() - children0) / ms,
      bench: (used.user + used.system) / 1000 / ms,
      mainWaiting: (waited() - waited0) / ms,
    };
  };
}

/** The most intervals ([start, end]) open at one moment. */
export function mostAtOnce(intervals) {
  const edges = intervals
    .flatMap(([start, end]) => [
      [start, 1],
      [end, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

/**
 * Starts a long-running process that logs with pino (JSON lines on stdout): keeps its warnings and
 * errors and the tail of its stderr. `waitFor(pattern)` resolves with the match once stderr shows it.
 */
export function spawnLogged(argv, { cwd, env }) {
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const warnings = [];
  let partial = "";
  child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const line of lines.filter((l) => /"level":[4-6]0/.test(l)).slice(0, 50 - warnings.length)) {
      try {
        const { level, msg, err } = JSON.parse(line);
        warnings.push(`${level >= 50 ? "error" : "warn"}: ${msg}${err ? `: ${err.message}` : ""}`);
      } catch {
        warnings.push(line.slice(0, 300));
      }
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-64_000)));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const name = path.basename(argv[2] ?? argv[0]);
  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${stderr}`)), 30_000);
      const check = () => {
        const match = pattern.exec(stderr);
        if (!match) return;
        clearTimeout(timer);
        child.stderr.off("data", check);
        resolve(match);
      };
      child.stderr.on("data", check);
      void exited.then((code) => reject(new Error(`${name} exited with ${code}:\n${stderr}`)));
      check();
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  // What it logged, less the banners of `quire serve`/`quire worker` and Node's hint after a warning.
  const log = () => [
    ...warnings,
    ...stderr.split("\n").filter((l) => l.trim() && !/Quire is serving|at once \(|stopping…|--trace-warnings/.test(l)),
  ];
  return { child, waitFor, stop, log };
}
