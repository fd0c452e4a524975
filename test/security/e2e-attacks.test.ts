// Attacks sent by a scripted hostile model to the built `quire exec --json`, end to end:
// what the agent phase can see of Quire's own secrets and home, and what runs on the host
// after the agent's turn. Build first (`npm run build`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startScriptedModelServer } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, git, makeRepo } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { processesWith, treeOf, unique } from "./attack-helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Script = Parameters<typeof startScriptedModelServer>[0];

const shellCall = (script: string) => ({ name: "shell", arguments: { command: ["bash", "-lc", script] } });

/** Runs one `quire exec --json` task whose model sends `calls`, then says "done". */
async function hostileTask(
  calls: ReturnType<typeof shellCall>[],
  options: { repo?: string; home?: string; env?: Record<string, string> } = {},
) {
  const script: Script = [{ toolCalls: calls }, { text: "done" }];
  const model = await startScriptedModelServer(script);
  cleanups.push(model.close);
  const repo = options.repo ?? makeRepo(failingTestRepo, "quire-attack-repo-");
  if (!options.repo) cleanups.push(() => rmSync(repo, { recursive: true, force: true }));
  const home = options.home ?? tempHome();
  if (!options.home) cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "do the task"], {
    cwd: repo,
    home,
    env: { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "test-key", ...options.env },
  });
  const final = run.events.at(-1) as { type: string; task_id?: string; status?: string };
  if (final?.type !== "task.completed") throw new Error(`no task.completed event:\n${run.stdout}\n${run.stderr}`);
  const taskDir = path.join(home, "tasks", final.task_id!);
  const eventsLog = readFileSync(path.join(taskDir, "events.jsonl"), "utf8");
  const outputs = run.events
    .flatMap((event) => ("item" in event ? [event.item as { type: string; aggregated_output?: string }] : []))
    .filter((item) => item.type === "command_execution")
    .map((item) => item.aggregated_output ?? "")
    .join("\n");
  return { run, model, repo, home, taskDir, eventsLog, outputs, everything: `${run.stdout}${run.stderr}${eventsLog}` };
}

describe("quire exec against a hostile model", () => {
  it("keeps the API key and the rest of Quire's environment from the agent's commands and the logs", async () => {
    const apiKey = `sk-quire-attack-${unique()}`;
    const otherSecret = `ghp_${unique()}${unique()}`;
    const task = await hostileTask(
      [
        shellCall(
          "env; echo ---; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done; echo ---; cat /proc/1/cmdline",
        ),
        shellCall('echo "key=$OPENAI_API_KEY token=$GITHUB_TOKEN"; printenv OPENAI_API_KEY GITHUB_TOKEN; echo printed'),
      ],
      { env: { OPENAI_API_KEY: apiKey, GITHUB_TOKEN: otherSecret } },
    );
    expect(task.run.code).toBe(0);
    expect(task.outputs).toContain("HOME=/home/quire"); // the control: env did print
    expect(task.outputs).toContain("printed");
    for (const secret of [apiKey, otherSecret]) {
      expect(task.everything).not.toContain(secret);
      expect(task.model.requests.map(requestText).join("\n")).not.toContain(secret);
    }
  });

  it("cannot read Quire's home (config, database, secrets, other tasks) from the agent phase", async () => {
    const home = tempHome();
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const secret = `quire-home-secret-${unique()}`;
    writeFileSync(path.join(home, "quire.db"), `SQLite format 3\0${secret}`);
    writeFileSync(path.join(home, "credentials.json"), JSON.stringify({ token: secret }));
    // A first task leaves a secret in its workspace; the second, hostile one goes looking for it.
    const first = await hostileTask([shellCall(`echo ${secret} > leaked-by-task-1.txt`)], { home });
    // The first task's changes stay on the host: in its copy-on-write layer (on its disk layer,
    // an image mounted only while the task runs: looked at read-only), or its copied workspace.
    const image = path.join(first.taskDir, "disk.img");
    const layered = existsSync(image);
    if (layered) execFileSync("mount", ["-o", "loop,ro", image, path.join(first.taskDir, "disk")]);
    const kept = ["disk/upper", "upper", "repo"].map((layer) =>
      path.join(first.taskDir, layer, "leaked-by-task-1.txt"),
    );
    try {
      expect(kept.filter((file) => existsSync(file)).map((file) => readFileSync(file, "utf8"))).toEqual([
        `${secret}\n`,
      ]);
    } finally {
      if (layered) execFileSync("umount", [path.join(first.taskDir, "disk")]);
    }

    const second = await hostileTask(
      [
        shellCall(
          `cat ${home}/quire.db ${home}/credentials.json ${home}/secrets.toml ${kept.join(" ")}; ` +
            `cat ../../../quire.db ../../../credentials.json ../../*/*/leaked-by-task-1.txt ../events.jsonl ../task.json; ` +
            `ls -la ${home} ${home}/tasks ../..; grep -rl quire-home-secret /tmp /home /root 2>/dev/null; echo searched`,
        ),
      ],
      { home },
    );
    expect(second.outputs).toContain("searched");
    expect(second.outputs).not.toContain(secret);
    expect(second.model.requests.map(requestText).join("\n")).not.toContain(secret);
  });

  it("cannot change the user's repository: neither its checkout nor its objects are in the sandbox", async () => {
    const repo = makeRepo(failingTestRepo, "quire-attack-repo-");
    cleanups.push(() => rmSync(repo, { recursive: true, force: true }));
    const before = treeOf(repo);
    const task = await hostileTask(
      [
        shellCall(
          `echo pwned > ${repo}/src/add.js; rm -rf ${repo}/.git/objects/*; ` +
            `test -e .git/objects/info/alternates || echo no-borrowed-objects; git cat-file -e HEAD && echo history-whole; ` +
            `for d in $(cat .git/objects/info/alternates); do rm -rf $d/*; touch $d/pwned; done; ` +
            `git -C ${repo} commit --allow-empty -m pwned; echo tried`,
        ),
      ],
      { repo },
    );
    expect(task.outputs).toContain("tried");
    // The workspace reads its history from its own store (the snapshot's), none of the user's.
    expect(task.outputs).toContain("no-borrowed-objects");
    expect(task.outputs).toContain("history-whole");
    expect(treeOf(repo)).toEqual(before);
    expect(git(repo, "log", "--oneline").trim().split("\n")).toHaveLength(1);
  });

  it("leaves no process running on the host after the task", async () => {
    const token = `400.${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
    const task = await hostileTask([
      shellCall(
        `(setsid sleep ${token} &); nohup sleep ${token} >/dev/null 2>&1 & disown; ` +
          `sh -c 'sleep ${token} &'; echo spawned`,
      ),
    ]);
    expect(task.outputs).toContain("spawned");
    expect(processesWith(token)).toEqual([]);
  });

  // The workspace's .git/config, hooks and .gitattributes are the agent's to write: a
  // `core.fsmonitor` command or a `filter.<name>.clean` driver would run wherever git runs on
  // that workspace. Quire runs such git (the diff, trees, checkouts) inside the sandbox.
  it("cannot make the host run its commands through the workspace's git config", async () => {
    const outside = temp("quire-attack-outside-");
    const viaFsmonitor = path.join(outside, "fsmonitor-ran");
    const viaFilter = path.join(outside, "filter-ran");
    const task = await hostileTask([
      shellCall(
        `git config core.fsmonitor "env > ${viaFsmonitor}; false" && ` +
          `git config filter.pwn.clean "touch ${viaFilter}; cat" && echo '* filter=pwn' >> .gitattributes && ` +
          "echo change >> README.md; echo configured",
      ),
    ]);
    expect(task.outputs).toContain("configured");
    expect(task.run.code).toBe(0);
    const ran = readdirSync(outside);
    if (existsSync(viaFsmonitor)) {
      // What the host-side hook got: Quire's own environment.
      expect(readFileSync(viaFsmonitor, "utf8")).not.toContain("OPENAI_API_KEY=");
    }
    expect(ran).toEqual([]);
  });
});
