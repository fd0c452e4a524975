// Server benchmark (issue 4): many tasks at once on `quire serve`, over its HTTP API and SSE, with the
// scripted model answering every turn after a delay. `npm run bench` runs it last (BENCH_SERVER=0
// skips it); alone, after a build: `node scripts/bench-server.mjs`. Prints Markdown tables.
//   BENCH_SERVER_TASKS=N         tasks at once on one server (default 100)
//   BENCH_SERVER_QUEUE_TASKS=N   tasks per worker-count run (default 40)
//   BENCH_SERVER_WORKERS=1,2,4   `quire worker` processes per run; BENCH_SERVER_CONCURRENCY=4 each
//   BENCH_SERVER_DELAY_MS=1000   the model's delay before each answer
//   BENCH_SERVER_SCENARIOS=sqlite,postgres,workers
//   QUIRE_TEST_DATABASE_URL      PostgreSQL for the postgres and workers runs (a fresh schema each, dropped after)
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { startScriptedModelServer } from "../packages/testing/dist/index.js";
import {
  cpuMeter,
  httpJson,
  makeFixRepo,
  mostAtOnce,
  percentile,
  processTreeRss,
  readSse,
  sampleRss,
  spawnLogged,
} from "./bench-helpers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const quireBin = path.join(root, "packages/cli/bin/quire.js");
const env = process.env;
const config = {
  tasks: Number(env.BENCH_SERVER_TASKS ?? 100),
  queueTasks: Number(env.BENCH_SERVER_QUEUE_TASKS ?? 40),
  workerCounts: (env.BENCH_SERVER_WORKERS ?? "1,2,4").split(",").map(Number),
  concurrency: Number(env.BENCH_SERVER_CONCURRENCY ?? 4),
  delayMs: Number(env.BENCH_SERVER_DELAY_MS ?? 1000),
  scenarios: (env.BENCH_SERVER_SCENARIOS ?? "sqlite,postgres,workers").split(","),
  databaseUrl: env.QUIRE_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
};
const TURNS = 5;
const SAMPLE_EVERY_MS = 200;
/** Undone after each scenario, last first: processes, model servers, folders, schemas. */
const cleanups = [];

/** Per conversation (the attempt's prompt_cache_key): four turns of one `echo` each, then the answer. */
function fiveTurnModel(delayMs) {
  const turns = new Map();
  const script = (request) => {
    const key = request.body?.prompt_cache_key ?? "default";
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    if (turn < TURNS - 1) {
      return { delayMs, toolCalls: [{ name: "shell", arguments: { command: ["echo", `turn ${turn + 1}`] } }] };
    }
    return turn === TURNS - 1 ? { delayMs, text: "Done after five turns." } : { text: "unexpected extra turn" };
  };
  return { script, turns };
}

function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `quire <args>` in a fresh home, stopped at the end of the scenario. */
function spawnQuire(args, extraEnv) {
  const home = tempDir("bench-server-home-");
  const quire = spawnLogged([process.execPath, quireBin, ...args], {
    cwd: home,
    env: { PATH: env.PATH ?? "/usr/bin:/bin", HOME: home, QUIRE_HOME: home, LANG: "C.UTF-8", ...extraEnv },
  });
  cleanups.push(quire.stop);
  return quire;
}

/** Reads a task's SSE stream until the server ends it; each event stamped with when its chunk arrived. */
function readTaskStream(url, taskId, { signal, onConnect, onEvent }) {
  return readSse(`${url}/api/tasks/${taskId}/events`, {
    signal,
    onConnect,
    onEvent: ({ id, data, receivedAt }) => {
      const { event } = data;
      onEvent({
        id,
        seq: data.seq,
        createdAt: Date.parse(data.createdAt),
        receivedAt,
        type: event.type,
        itemType: event.item?.type,
        itemId: event.item?.id,
        status: event.status,
        reason: event.reason ?? event.message,
        commandOk:
          event.type === "item.completed" && event.item?.type === "command_execution" && event.item.exit_code === 0,
      });
    },
  });
}

/** Opens the task's stream now and follows it live; `done` settles when the server ends it (or at the deadline). */
function follow(url, taskId, signal) {
  const live = { taskId, connectedAt: undefined, events: [], finalAt: undefined, endedAt: undefined, error: undefined };
  live.done = readTaskStream(url, taskId, {
    signal,
    onConnect: (t) => (live.connectedAt = t),
    onEvent: (event) => {
      live.events.push(event);
      if (event.type === "task.completed") live.finalAt ??= event.receivedAt;
    },
  }).then(
    () => (live.endedAt = Date.now()),
    (error) => (live.error = signal.aborted ? "stream still open at the deadline" : String(error?.message ?? error)),
  );
  return live;
}

async function sqlOnce(text) {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function newSchema() {
  const schema = `quire_bench_${randomBytes(5).toString("hex")}`;
  await sqlOnce(`create schema ${schema}`);
  cleanups.push(() =>
    sqlOnce(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`),
  );
  return { DATABASE_URL: config.databaseUrl, QUIRE_DATABASE_SCHEMA: schema };
}

/** Creates `count` ask tasks at once; each one's stream is opened right after its creation. */
async function runTasks(url, repository, count, deadlineMs) {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const startedAt = Date.now();
  const tasks = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const createdAt = Date.now();
      const response = await httpJson(`${url}/api/tasks`, "POST", {
        repo: repository.id,
        ref: repository.defaultBranch,
        mode: "ask",
        prompt: `bench task ${i}: run four commands, then answer`,
      });
      if (response.status !== 201) {
        deadline.abort(); // the streams already open end too
        throw new Error(`creating a task: ${response.status} ${JSON.stringify(response.body)}`);
      }
      return Object.assign(follow(url, response.body.task.id, deadline.signal), { createdAt });
    }),
  );
  await Promise.all(tasks.map((task) => task.done));
  clearTimeout(timer);
  return { startedAt, tasks };
}

/** Reads each task's whole stream again (what storage holds) and compares it with what the live client got. */
function check(url, run) {
  return Promise.all(
    run.tasks.map(async (live) => {
      const stored = [];
      let replayError;
      await readTaskStream(url, live.taskId, {
        signal: AbortSignal.timeout(10_000),
        onEvent: (e) => stored.push(e),
      }).catch((error) => (replayError = `replay: ${error?.message ?? error}`));
      const task = (await httpJson(`${url}/api/tasks/${live.taskId}`, "GET")).body.task;
      const liveIds = live.events.map((e) => e.id);
      const received = new Set(liveIds);
      const final = stored.findLast((e) => e.type === "task.completed");
      return {
        taskId: live.taskId,
        status: task?.status,
        finalStatus: final?.status,
        reason: [...stored.filter((e) => e.type === "error"), ...(final ? [final] : [])]
          .map((e) => e.reason)
          .filter(Boolean)
          .join("; "),
        stored: stored.length,
        lostIds: stored.map((e) => e.id).filter((id) => !received.has(id)),
        duplicates: liveIds.length - received.size,
        // Both views must be exactly 1..n: no gap, no duplicate, in order.
        inOrder: liveIds.every((id, i) => id === i + 1) && stored.every((e, i) => e.id === i + 1 && e.seq === e.id),
        commandsOk: stored.filter((e) => e.commandOk).length,
        ...stepTimes(stored),
        // Only events emitted after the stream was open: the history read on connect is not "live".
        latencies: live.events
          .filter((e) => e.createdAt >= (live.connectedAt ?? Infinity))
          .map((e) => e.receivedAt - e.createdAt),
        createdAt: live.createdAt,
        firstEventAt: stored[0]?.createdAt,
        finalEventAt: final?.createdAt,
        finalAt: live.finalAt,
        error: live.error ?? replayError,
      };
    }),
  );
}

/**
 * Where a task's time goes, from its stored event times: each command (item.started to
 * item.completed) and each model step (turn.started or a command's end, to the next item: the
 * model's delay plus building the request and reading the answer).
 */
function stepTimes(stored) {
  const commands = [];
  const modelSteps = [];
  const started = new Map();
  stored.forEach((e, i) => {
    if (e.itemType === "command_execution" && e.type === "item.started") started.set(e.itemId, e.createdAt);
    if (e.itemType === "command_execution" && e.type === "item.completed" && started.has(e.itemId)) {
      commands.push(e.createdAt - started.get(e.itemId));
    }
    const next = stored[i + 1];
    const waitsForModel =
      e.type === "turn.started" || (e.type === "item.completed" && e.itemType === "command_execution");
    if (waitsForModel && (next?.type === "item.started" || next?.type === "item.completed")) {
      modelSteps.push(next.createdAt - e.createdAt);
    }
  });
  const turnStarted = stored.find((e) => e.type === "turn.started");
  return { commands, modelSteps, startMs: turnStarted ? turnStarted.createdAt - stored[0].createdAt : undefined };
}

function summarize(run, tasks, turns) {
  const latencies = tasks.flatMap((t) => t.latencies);
  const lastFinal = Math.max(...tasks.map((t) => t.finalAt ?? Infinity));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const ran = tasks.filter((t) => t.firstEventAt !== undefined && t.finalEventAt !== undefined);
  const sum = (f) => tasks.reduce((total, t) => total + f(t), 0);
  return {
    tasks: tasks.length,
    completed: tasks.filter((t) => t.status === "completed" && t.finalStatus === "completed").length,
    wallMs: Number.isFinite(lastFinal) ? lastFinal - run.startedAt : undefined,
    storedEvents: sum((t) => t.stored),
    lost: sum((t) => t.lostIds.length),
    duplicates: sum((t) => t.duplicates),
    outOfOrder: tasks.filter((t) => !t.inOrder).length,
    commandsOk: tasks.every((t) => t.commandsOk === TURNS - 1),
    modelTurnsOk: turns.size === tasks.length && [...turns.values()].every((n) => n === TURNS),
    liveEvents: latencies.length,
    latency: latencies.length ? [50, 95, 99, 100].map((p) => percentile(latencies, p)) : undefined,
    maxRunning: mostAtOnce(ran.map((t) => [t.firstEventAt, t.finalEventAt])),
    meanRunMs: mean(ran.map((t) => t.finalEventAt - t.firstEventAt)),
    meanWaitMs: mean(ran.map((t) => t.firstEventAt - t.createdAt)),
    // The first event to turn.started: preparing the workspace (snapshot, mount, AGENTS.md).
    meanStartMs: mean(ran.map((t) => t.startMs).filter((v) => v !== undefined)),
    meanCommandMs: mean(tasks.flatMap((t) => t.commands)),
    meanModelStepMs: mean(tasks.flatMap((t) => t.modelSteps)),
    problems: tasks.filter(
      (t) => t.error || t.lostIds.length || t.duplicates || !t.inOrder || t.status !== "completed",
    ),
  };
}

async function runCleanups() {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo().catch((error) => console.error(`cleanup: ${error.message}`));
  }
}

async function startModel() {
  const model = fiveTurnModel(config.delayMs);
  const server = await startScriptedModelServer(model.script);
  cleanups.push(() => server.close());
  return { turns: model.turns, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "bench" } };
}

async function register(url) {
  const source = makeFixRepo();
  cleanups.push(async () => rmSync(source, { recursive: true, force: true }));
  const created = await httpJson(`${url}/api/repositories`, "POST", { name: "tiny", source });
  if (created.status !== 201)
    throw new Error(`registering the repository: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.repository;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Generous: four times the model's own time, plus two minutes; a task still running then is stuck. */
const deadlineFor = (tasks, slots) => Math.ceil(tasks / slots) * TURNS * config.delayMs * 4 + 120_000;

/** Scenarios 1 and 2: every task at once on one `quire serve --workers <tasks>`. */
async function oneServer(database) {
  try {
    const model = await startModel();
    const dbEnv = database === "postgres" ? await newSchema() : {};
    const serve = spawnQuire(["serve", "--port", "0", "-m", "scripted-model", "--workers", String(config.tasks)], {
      ...model.env,
      ...dbEnv,
    });
    const [, url] = await serve.waitFor(/Quire is serving (http:\/\/\S+)/);
    const repository = await register(url);
    await sleep(1_000);
    const idle = processTreeRss(serve.child.pid);
    const memory = sampleRss(serve.child.pid, SAMPLE_EVERY_MS);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu = cpuMeter([serve.child.pid]);
    const run = await runTasks(url, repository, config.tasks, deadlineFor(config.tasks, config.tasks));
    const usage = cpu();
    memory.stop();
    loop.disable();
    const tasks = await check(url, run);
    await serve.stop();
    return {
      database,
      ...summarize(run, tasks, model.turns),
      idleKb: idle.ownKb,
      peak: memory.peak(),
      peakChildren: memory.peakChildren(),
      usage,
      clientLoopP99Ms: loop.percentile(99) / 1e6,
      log: serve.log(),
    };
  } finally {
    await runCleanups();
  }
}

/** Scenario 3: an API-only server and N `quire worker` processes on one PostgreSQL queue. */
async function workersRun(workers) {
  try {
    const model = await startModel();
    const shared = { ...model.env, ...(await newSchema()) };
    const serve = spawnQuire(["serve", "--port", "0", "-m", "scripted-model", "--workers", "0"], shared);
    const [, url] = await serve.waitFor(/Quire is serving (http:\/\/\S+)/);
    const processes = Array.from({ length: workers }, () =>
      spawnQuire(["worker", "-m", "scripted-model", "--concurrency", String(config.concurrency)], shared),
    );
    await Promise.all(processes.map((w) => w.waitFor(/running \d+ at once/)));
    const repository = await register(url);
    const memories = processes.map((w) => sampleRss(w.child.pid, SAMPLE_EVERY_MS));
    const slots = workers * config.concurrency;
    const cpu = cpuMeter(processes.map((w) => w.child.pid));
    const run = await runTasks(url, repository, config.queueTasks, deadlineFor(config.queueTasks, slots));
    const usage = cpu();
    for (const memory of memories) memory.stop();
    const tasks = await check(url, run);
    const attempts = await Promise.all(tasks.map((t) => httpJson(`${url}/api/tasks/${t.taskId}/attempts`, "GET")));
    const byWorker = new Map();
    for (const a of attempts) {
      const id = a.body.attempts?.[0]?.workerId ?? "none";
      byWorker.set(id, (byWorker.get(id) ?? 0) + 1);
    }
    const summary = summarize(run, tasks, model.turns);
    return {
      workers,
      slots,
      ...summary,
      tasksPerMinute: summary.wallMs ? summary.completed / (summary.wallMs / 60_000) : undefined,
      // The most the model's pace allows for this batch: every slot busy, each task TURNS model
      // delays and nothing else, in ceil(tasks / slots) rounds.
      ceilingPerMinute: summary.tasks / ((Math.ceil(summary.tasks / slots) * TURNS * config.delayMs) / 60_000),
      perWorker: [...byWorker.values()].sort((a, b) => a - b),
      peakWorkerKb: Math.max(...memories.map((m) => m.peak()?.ownKb ?? 0)),
      usage,
      log: [serve, ...processes].flatMap((p) => p.log()),
    };
  } finally {
    await runCleanups();
  }
}

async function postgresReachable() {
  return sqlOnce("select 1").then(
    () => true,
    () => false,
  );
}

/** Runs the chosen scenarios; a scenario that throws is reported as such and the others still run. */
export async function serverBench() {
  const results = { config, servers: [], workers: [], skipped: [], errors: [] };
  const postgres = await postgresReachable();
  const attempt = (name, fn) => fn().catch((error) => void results.errors.push(`${name}: ${error?.stack ?? error}`));
  for (const database of ["sqlite", "postgres"].filter((d) => config.scenarios.includes(d))) {
    if (database === "postgres" && !postgres) results.skipped.push(`postgres (no database at ${config.databaseUrl})`);
    else results.servers.push(await attempt(database, () => oneServer(database)));
  }
  if (config.scenarios.includes("workers") && !postgres)
    results.skipped.push(`workers (no database at ${config.databaseUrl})`);
  else if (config.scenarios.includes("workers")) {
    for (const count of config.workerCounts)
      results.workers.push(await attempt(`${count} workers`, () => workersRun(count)));
  }
  results.servers = results.servers.filter(Boolean);
  results.workers = results.workers.filter(Boolean);
  return results;
}

const ms = (value) => (value === undefined ? "—" : `${Math.round(value)} ms`);
const sec = (value) => (value === undefined ? "—" : `${(value / 1000).toFixed(1)} s`);
const mb = (kb) => (kb === undefined ? "—" : `${(kb / 1024).toFixed(1)} MB`);
const pct = (share) => `${Math.round(share * 100)} %`;
const yes = (r) => `${r.completed === r.tasks ? "yes" : "**NO**"} (${r.completed}/${r.tasks})`;
const cores = (value) => value.toFixed(2);
const table = (head) => console.log(`| ${head} |\n|${" --- |".repeat(head.split(" | ").length)}`);
const row = (cells) => console.log(`| ${cells.join(" | ")} |`);

/** Where the time of a task goes (means), and who used the CPU meanwhile. */
function timeAndCpu(name, runs, label, who) {
  const timing =
    "created → first event | first event → turn started | model step | command | task run (first → final event)";
  const cpu = `load average at start | machine CPU (cores) | ${who} (cores) | their sandboxes and git (cores)`;
  table(`${name} | ${timing} | ${cpu} | bench: model + clients (cores) | ${who} main thread waiting for a CPU`);
  for (const r of runs) {
    const u = r.usage;
    const times = [r.meanWaitMs, r.meanStartMs, r.meanModelStepMs, r.meanCommandMs].map((v, i) => (i ? ms(v) : sec(v)));
    row(
      [
        label(r),
        ...times,
        sec(r.meanRunMs),
        u.load.toFixed(1),
        ...[u.machine, u.own, u.children, u.bench].map(cores),
      ].concat(pct(u.mainWaiting)),
    );
  }
}

export function printServerBench(results) {
  const { config: c, servers, workers } = results;
  if (servers.length > 0) {
    console.log(`\n### Server: ${c.tasks} tasks at once on one \`quire serve --workers ${c.tasks}\``);
    console.log(
      `Each task: ask mode, ${TURNS} model turns answered after ${c.delayMs} ms each, turns 1–${TURNS - 1} one sandboxed \`echo\`.\n`,
    );
    table("database | all completed | wall | events stored | lost | duplicates / out of order");
    for (const r of servers) {
      row([r.database, yes(r), sec(r.wallMs), r.storedEvents, r.lost, `${r.duplicates} / ${r.outOfOrder}`]);
    }
    console.log();
    table("database | live events timed | latency p50 | p95 | p99 | max | bench client event-loop delay p99");
    for (const r of servers) row([r.database, r.liveEvents, ...(r.latency ?? []).map(ms), ms(r.clientLoopP99Ms)]);
    console.log();
    table(
      "database | tasks running at once (max) | serve RSS idle | serve RSS peak | (peak − idle) per running task | sandbox processes at their peak: RSS sum (count)",
    );
    for (const r of servers) {
      const perTask = r.peak && r.maxRunning ? (r.peak.ownKb - r.idleKb) / r.maxRunning : undefined;
      const children = `${mb(r.peakChildren?.childrenKb)} (${r.peakChildren?.children ?? 0})`;
      row([r.database, r.maxRunning, mb(r.idleKb), mb(r.peak?.ownKb), mb(perTask), children]);
    }
    console.log();
    timeAndCpu("database", servers, (r) => r.database, "serve");
  }
  if (workers.length > 0) {
    console.log(`\n### Server: tasks per minute, \`quire worker\` processes on one PostgreSQL queue`);
    console.log(
      `API: \`quire serve --workers 0\`; each worker \`--concurrency ${c.concurrency}\`; ${c.queueTasks} tasks created at once, as above.\n`,
    );
    table(
      "workers | slots | all completed | wall | tasks/min | model-bound ceiling | tasks per worker | lost | latency p99 | peak worker RSS",
    );
    for (const r of workers) {
      const perMinute = r.tasksPerMinute?.toFixed(1) ?? "—";
      row(
        [
          r.workers,
          r.slots,
          yes(r),
          sec(r.wallMs),
          perMinute,
          r.ceilingPerMinute.toFixed(0),
          r.perWorker.join(", "),
        ].concat([r.lost, ms(r.latency?.[2]), mb(r.peakWorkerKb)]),
      );
    }
    console.log();
    timeAndCpu("workers", workers, (r) => r.workers, "workers");
  }
  for (const r of [...servers, ...workers]) {
    const name = r.database ?? `${r.workers} workers`;
    if (!r.commandsOk || !r.modelTurnsOk) {
      console.log(`\nCheck failed (${name}): 4 commands each ${r.commandsOk}, 5 model turns each ${r.modelTurnsOk}.`);
    }
    for (const p of r.problems.slice(0, 5)) {
      const why = [p.reason, p.error].filter(Boolean).join("; ");
      console.log(
        `\nProblem (${name}) task ${p.taskId}: status ${p.status}, final event ${p.finalStatus}${why ? ` (${why})` : ""}, lost ${p.lostIds.join(",") || 0}, duplicates ${p.duplicates}, in order ${p.inOrder}`,
      );
    }
    const counts = new Map();
    for (const line of r.log) counts.set(line, (counts.get(line) ?? 0) + 1);
    for (const [line, n] of counts) console.log(`\nLogged (${name})${n > 1 ? ` ${n}×` : ""}: ${line.slice(0, 400)}`);
  }
  for (const skipped of results.skipped) console.log(`\nSkipped: ${skipped}.`);
  for (const error of results.errors) console.log(`\nFailed: ${error}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(
    `## quire server bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores`,
  );
  printServerBench(await serverBench());
}
