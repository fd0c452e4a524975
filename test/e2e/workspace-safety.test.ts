import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

it("a task cannot alter the snapshot, leaves no set-uid file behind, and its folder is private", async () => {
  const repo = makeRepo({ "a.txt": "a\n" });
  const home = tempHome();
  const model = await scriptedModel([
    {
      toolCalls: [
        {
          name: "shell",
          arguments: { command: ["bash", "-lc", "cp /usr/bin/id suid-id && chmod 4755 suid-id; echo changed > a.txt"] },
        },
      ],
    },
    { text: "done" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "try"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error("no task.completed");
  expect(final.diff).toContain("+changed");

  // `quire exec` keeps its snapshots in the local workspace's folder.
  const envs = path.join(home, "envs", "ws-local");
  const envKey = readdirSync(envs)[0]!;
  const commit = readdirSync(path.join(envs, envKey)).find((entry) => !entry.startsWith("."))!;
  const snapshot = path.join(envs, envKey, commit, "snapshot");
  expect(existsSync(path.join(snapshot, "suid-id"))).toBe(false);
  expect(statSync(path.join(snapshot, "a.txt")).size).toBe(2);

  const taskDir = path.join(home, "tasks", final.task_id);
  // As root the task's writes are on its disk layer, unmounted once the task ended: looked at read-only.
  const image = path.join(taskDir, "disk.img");
  const layered = existsSync(image);
  const upper = layered ? path.join(taskDir, "disk", "upper") : path.join(taskDir, "upper");
  if (layered) execFileSync("mount", ["-o", "loop,ro", image, path.join(taskDir, "disk")]);
  try {
    const made = path.join(upper, "suid-id");
    expect(existsSync(made)).toBe(true);
    expect(statSync(made).mode & 0o6000).toBe(0);
  } finally {
    if (layered) execFileSync("umount", [path.join(taskDir, "disk")]);
  }
  expect(statSync(path.join(home, "tasks")).mode & 0o077).toBe(0);

  // gc removes the old workspace and the expired snapshot, and keeps the record, events and diff.
  const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  utimesSync(path.join(envs, envKey, commit, "meta.json"), old, old);
  const gc = await runQuire(["gc", "--older-than", "0"], { cwd: repo, home });
  expect(gc.code).toBe(0);
  expect(gc.stdout).toMatch(/removed 1 snapshot\(s\) and 1 workspace\(s\)/);
  expect(existsSync(snapshot)).toBe(false);
  expect(existsSync(path.join(taskDir, "upper"))).toBe(false);
  expect(existsSync(image)).toBe(false);
  for (const kept of ["task.json", "events.jsonl", "diff.patch"])
    expect(existsSync(path.join(taskDir, kept))).toBe(true);
  const diff = await runQuire(["diff", final.task_id], { cwd: repo, home });
  expect(diff.stdout).toBe(final.diff);
});
