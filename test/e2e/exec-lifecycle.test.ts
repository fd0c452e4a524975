import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";

const scripted = useScriptedModels();

function finalEvent(events: { type: string }[]) {
  const final = events.at(-1) as { type: string; task_id: string; status: string; diff: string; reason?: string };
  if (final?.type !== "task.completed") throw new Error("no task.completed event");
  return final;
}

it("--resume sends a follow-up into the same task and workspace, with the whole conversation", async () => {
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const first = await scripted([
    { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
    { text: "fixed" },
  ]);
  const run1 = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fix add"], {
    cwd: repo,
    home,
    env: providerEnv("openai", first.url),
  });
  const id = finalEvent(run1.events).task_id;

  const addDoc = "*** Begin Patch\n*** Add File: NOTES.md\n+add() adds.\n*** End Patch";
  const second = await scripted([
    { toolCalls: [{ name: "apply_patch", arguments: { input: addDoc } }] },
    { text: "noted" },
  ]);
  const run2 = await runQuire(
    ["exec", "--json", "--resume", id, "--provider", "openai", "-m", "m", "now document it"],
    {
      cwd: repo,
      home,
      env: providerEnv("openai", second.url),
    },
  );
  expect(run2.code).toBe(0);
  expect(run2.events[0]).toEqual({ type: "thread.started", thread_id: id });
  const sent = requestText(second.requests[0]!);
  expect(sent).toContain("fix add");
  expect(sent).toContain("now document it");
  expect(sent).toContain("return a + b;");
  const final = finalEvent(run2.events);
  expect(final.task_id).toBe(id);
  expect(final.diff).toContain("+  return a + b;");
  expect(final.diff).toContain("+add() adds.");
  // Item ids keep counting across follow-ups.
  const ids = [...run1.events, ...run2.events].flatMap((e) => ("item" in e ? [(e.item as { id: string }).id] : []));
  expect(new Set(ids).size).toBe(ids.length);
});

it("stops at the turn budget with a clear reason and exit code 1", async () => {
  const loop = Array.from({ length: 5 }, () => ({ toolCalls: [{ name: "shell", arguments: { command: ["true"] } }] }));
  const model = await scripted(loop);
  const run = await runQuire(["exec", "--json", "--max-turns", "2", "--provider", "openai", "-m", "m", "loop"], {
    cwd: makeRepo(failingTestRepo),
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(1);
  expect(model.requests).toHaveLength(2);
  const final = finalEvent(run.events);
  expect(final.status).toBe("failed");
  expect(final.reason).toMatch(/turn budget exhausted: 2 model turns/);
});

it("Ctrl-C cancels a running command cleanly: exit 130, status cancelled, no process left", async () => {
  const marker = path.join(mkdtempSync(path.join(os.tmpdir(), "quire-cancel-")), "late");
  const model = await scripted([
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", "sleep 30; echo late"] } }] },
  ]);
  const home = tempHome();
  const started = Date.now();
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "wait"], {
    cwd: makeRepo(failingTestRepo),
    home,
    env: providerEnv("openai", model.url),
    onSpawn: (pid) => setTimeout(() => process.kill(pid, "SIGINT"), 2500),
  });
  expect(run.code).toBe(130);
  expect(Date.now() - started).toBeLessThan(15_000);
  const final = finalEvent(run.events);
  expect(final.status).toBe("cancelled");
  const record = JSON.parse(readFileSync(path.join(home, "tasks", final.task_id, "task.json"), "utf8"));
  expect(record.status).toBe("cancelled");
  expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain("sleep 30; echo late");
  expect(existsSync(marker)).toBe(false);
});

it("refuses hostile paths from the model and keeps commands inside the sandbox", async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), "quire-outside-"));
  const escapeTarget = path.join(outside, "escapeTargetd.txt");
  const repo = makeRepo(failingTestRepo);
  symlinkSync(outside, path.join(repo, "link-out"));
  git(repo, "add", "link-out");
  git(repo, "commit", "-qm", "symlink");
  const model = await scripted([
    {
      toolCalls: [
        {
          name: "apply_patch",
          arguments: { input: `*** Begin Patch\n*** Add File: ${escapeTarget}\n+x\n*** End Patch` },
        },
        {
          name: "apply_patch",
          arguments: { input: "*** Begin Patch\n*** Add File: ../../escapeTargetd.txt\n+x\n*** End Patch" },
        },
        {
          name: "apply_patch",
          arguments: { input: "*** Begin Patch\n*** Add File: link-out/escapeTargetd.txt\n+x\n*** End Patch" },
        },
        {
          name: "shell",
          arguments: { command: ["bash", "-lc", `echo x > ${escapeTarget}; echo x > link-out/escapeTargetd.txt`] },
        },
      ],
    },
    { text: "tried" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "escapeTarget"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  expect(existsSync(escapeTarget)).toBe(false);
  const feedback = requestText(model.requests[1]!);
  expect(feedback.match(/apply_patch failed/g)?.length).toBe(3);
  expect(finalEvent(run.events).diff).toBe("");
});

it("says how to install bubblewrap when it is missing, and warns loudly with --sandbox none", async () => {
  const bin = mkdtempSync(path.join(os.tmpdir(), "quire-path-"));
  // Every program of the system on PATH, except bwrap.
  for (const dir of ["/usr/local/bin", "/usr/bin", "/usr/sbin"]) {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (name === "bwrap" || existsSync(path.join(bin, name))) continue;
      symlinkSync(path.join(dir, name), path.join(bin, name));
    }
  }
  const repo = makeRepo(failingTestRepo);
  const home = tempHome();
  const missing = await runQuire(["exec", "--provider", "openai", "-m", "m", "hi"], {
    cwd: repo,
    home,
    env: { PATH: bin, OPENAI_API_KEY: "k", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
  });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/apt-get install bubblewrap/);
  expect(missing.stderr).toMatch(/--sandbox none/);

  const model = await scripted([{ text: "ok" }]);
  writeFileSync(path.join(home, "unused"), "");
  const unsafe = await runQuire(["exec", "--sandbox", "none", "--provider", "openai", "-m", "m", "hi"], {
    cwd: repo,
    home,
    env: { ...providerEnv("openai", model.url), PATH: bin },
  });
  expect(unsafe.code).toBe(0);
  expect(unsafe.stderr).toMatch(/WARNING/);
});

it("rejects a wrong flag with exit code 2 and a clear message", async () => {
  const run = await runQuire(["exec", "--mode", "write", "hi"], { cwd: os.tmpdir(), home: tempHome() });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--mode/);
  expect(run.stderr).toMatch(/code, ask|"code"|code/);
});

it("the wall-time budget interrupts a running command and fails the task with the reason", async () => {
  const model = await scripted([{ toolCalls: [{ name: "shell", arguments: { command: ["sleep", "30"] } }] }]);
  const started = Date.now();
  const run = await runQuire(["exec", "--json", "--max-time", "2", "--provider", "openai", "-m", "m", "wait"], {
    cwd: makeRepo(failingTestRepo),
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(1);
  expect(Date.now() - started).toBeLessThan(10_000);
  const final = finalEvent(run.events);
  expect(final.status).toBe("failed");
  expect(final.reason).toMatch(/time budget exhausted/);
});
