import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { QuireEvent, ThreadItem } from "@quire/core";
import { type ScriptedReply } from "@quire/testing";
import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { git, makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

const SECRET = "s3cr3t-value-xyz-4821";

const environmentToml = `setup = """
echo "setup ran" >> .setup-log
echo "token is $DEPLOY_TOKEN"
echo "$DEPLOY_TOKEN" > .token-copy
echo "greeting $GREETING"
"""
maintenance = "echo maintenance ran > .maint"
secrets = ["DEPLOY_TOKEN"]

[variables]
GREETING = "hello"
`;

function commands(events: QuireEvent[]): Extract<ThreadItem, { type: "command_execution" }>[] {
  return events.flatMap((e) => (e.type === "item.completed" && e.item.type === "command_execution" ? [e.item] : []));
}

async function runTask(repo: string, home: string, replies: ScriptedReply[]) {
  const model = await scriptedModel(replies);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "work"], {
    cwd: repo,
    home,
    env: providerEnv("openai", model.url),
  });
  const final = run.events.at(-1);
  if (final?.type !== "task.completed") throw new Error(`no task.completed: ${run.stderr}`);
  return { run, final, model };
}

it("runs setup once with variables and secrets, caches the snapshot, keeps secrets out of the agent phase and the logs", async () => {
  const repo = makeRepo({ ".quire/environment.toml": environmentToml, "README.md": "hi\n" });
  const home = tempHome();
  const set = await runQuire(["env", "secret", "set", "DEPLOY_TOKEN"], { cwd: repo, home, input: SECRET });
  expect(set.code).toBe(0);

  const first = await runTask(repo, home, [
    {
      toolCalls: [
        {
          name: "shell",
          arguments: { command: ["bash", "-lc", 'echo "env:${DEPLOY_TOKEN:-absent} $GREETING"; cat .token-copy'] },
        },
        { name: "apply_patch", arguments: { input: "*** Begin Patch\n*** Add File: agent.txt\n+mine\n*** End Patch" } },
      ],
    },
    { text: "done" },
  ]);
  expect(first.run.code).toBe(0);
  const [setup, agentCommand] = commands(first.run.events);
  expect(setup?.command).toBe("setup script");
  expect(setup?.aggregated_output).toContain("token is [REDACTED:DEPLOY_TOKEN]");
  expect(setup?.aggregated_output).toContain("greeting hello");
  expect(agentCommand?.aggregated_output).toContain("env:absent hello");
  expect(agentCommand?.aggregated_output).toContain("[REDACTED:DEPLOY_TOKEN]");
  // Setup wrote the secret into a file: it was scrubbed before the agent phase, and the user told.
  const warnings = first.run.events.flatMap((e) =>
    e.type === "item.completed" && e.item.type === "error" ? [e.item.message] : [],
  );
  expect(warnings).toEqual([expect.stringMatching(/^\.token-copy held the secret DEPLOY_TOKEN after setup/)]);
  // The model never saw the value either.
  expect(JSON.stringify(first.model.requests.map((r) => r.body))).not.toContain(SECRET);
  const eventsFile = path.join(home, "tasks", first.final.task_id, "events.jsonl");
  expect(readFileSync(eventsFile, "utf8")).not.toContain(SECRET);
  // The diff holds the agent's work only, not what setup made.
  expect(first.final.diff).toContain("+mine");
  expect(first.final.diff).not.toContain(".setup-log");

  // Same commit: the snapshot is reused (no setup), and the first task's change is not in it.
  const second = await runTask(repo, home, [
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", "ls; cat .setup-log"] } }] },
    { text: "done" },
  ]);
  const secondCommands = commands(second.run.events);
  expect(secondCommands.map((c) => c.command)).not.toContain("setup script");
  expect(secondCommands[0]?.aggregated_output).not.toContain("agent.txt");
  expect(secondCommands[0]?.aggregated_output).toContain("setup ran\n");
  const snapshots = readdirSync(path.join(home, "envs", "ws-local"));
  expect(snapshots).toHaveLength(1);

  // A new commit: the snapshot of the older commit is reused and the maintenance script runs.
  writeFileSync(path.join(repo, "README.md"), "hi again\n");
  git(repo, "commit", "-qam", "second");
  const third = await runTask(repo, home, [
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-lc", "cat README.md .maint"] } }] },
    { text: "done" },
  ]);
  const thirdCommands = commands(third.run.events);
  expect(thirdCommands.map((c) => c.command)).toEqual(["maintenance script", "bash -lc 'cat README.md .maint'"]);
  expect(thirdCommands[1]?.aggregated_output).toBe("hi again\nmaintenance ran\n");
  expect(third.final.diff).toBe("");
});

it("a failing setup fails the task with its log, before any model call", async () => {
  const repo = makeRepo({ ".quire/environment.toml": 'setup = "echo preparing; echo boom >&2; exit 3"\n' });
  const home = tempHome();
  const { run, final, model } = await runTask(repo, home, [{ text: "never" }]);
  expect(run.code).toBe(1);
  expect(model.requests).toHaveLength(0);
  expect(final.status).toBe("failed");
  expect(final.reason).toMatch(/setup script failed \(exit 3\)/);
  expect(final.reason).toContain("boom");
  expect(commands(run.events)[0]).toMatchObject({ command: "setup script", exit_code: 3, status: "failed" });
  // Nothing half-made is kept as a snapshot.
  const envs = path.join(home, "envs", "ws-local");
  const kept = existsSync(envs) ? readdirSync(envs).flatMap((key) => readdirSync(path.join(envs, key))) : [];
  expect(kept).toEqual([]);
});
