/**
 * `quire serve` with a repository registered by URL (cloned over real HTTP from git http-backend)
 * and a stored environment: setup gets the stored secret, the agent never does, the declared
 * checks are what verification runs.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startGitHttpServer } from "../../packages/server/testing/git-http-server.js";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe } from "../helpers/server.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe("quire serve with a git URL and a stored environment", () => {
  it("clones the URL, lists its branches, runs setup with the stored secret, hides it from the agent, verifies with the declared checks", async () => {
    const projects = mkdtempSync(path.join(os.tmpdir(), "quire-projects-"));
    const { "AGENTS.md": _noAgentsMd, ...files } = failingTestRepo;
    const work = makeRepo(files);
    execFileSync("git", ["clone", "--quiet", "--bare", work, path.join(projects, "tiny.git")]);
    const gitServer = await startGitHttpServer({ projectRoot: projects, authorization: null });
    cleanups.push(() => gitServer.close());

    const secret = "sup3r-s3cret-token";
    const seenByModel: string[] = [];
    const model = await scriptedModel(
      perConversation((_key, turn, request) => {
        seenByModel.push(request.rawText);
        return (
          [
            { toolCalls: [{ name: "shell", arguments: { command: ["sh", "-c", "env; cat .setup-ran"] } }] },
            { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
            { text: "Fixed." },
          ][turn] ?? { text: "done" }
        );
      }),
    );
    const home = tempHome();
    // Repository URLs reach only public hosts unless the operator allows more: this one is local.
    const gitPort = new URL(gitServer.url).port;
    writeFileSync(path.join(home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${gitPort}"]\n`);
    const server = await startServe({
      home,
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model"],
    });
    cleanups.push(() => server.stop());

    const registered = await api<{ repository: { id: string; defaultBranch: string; source: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      { name: "tiny", source: `${gitServer.url}/tiny.git` },
    );
    expect(registered.status).toBe(201);
    const repository = registered.body.repository;
    const branches = await api<{ branches: { name: string; commit: string }[] }>(
      `${server.url}/api/repositories/${repository.id}/branches`,
      "GET",
    );
    expect(branches.body.branches.map((b) => b.name)).toEqual([repository.defaultBranch]);

    const environment = await api<{ environment: { id: string } }>(`${server.url}/api/environments`, "POST", {
      repo: repository.id,
      name: "ci",
      definition: {
        setup: 'test -n "$TINY_TOKEN" && echo "setup saw a token of ${#TINY_TOKEN} chars" > .setup-ran',
        secrets: ["TINY_TOKEN"],
        checks: ["node test.js"],
      },
    });
    expect(environment.status).toBe(201);
    await api(`${server.url}/api/environments/${environment.body.environment.id}/secrets/TINY_TOKEN`, "PUT", {
      value: secret,
    });

    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "fix the failing test",
      environment: environment.body.environment.id,
    });
    expect(created.status).toBe(201);
    const events = await readTaskEvents(server.url, created.body.task.id);
    const final = events.at(-1)?.event;
    expect(final).toMatchObject({ type: "task.completed", status: "completed", verification: { status: "verified" } });
    const output = events
      .filter((e) => e.event.type === "item.completed")
      .map((e) => (e.event.item as { aggregated_output?: string }).aggregated_output ?? "")
      .join("\n");
    expect(output).toContain(`setup saw a token of ${secret.length} chars`);
    // Secrets go to setup only: not in the agent's environment, the events, or any model request.
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(seenByModel.join("\n")).not.toContain(secret);
    expect(output).not.toContain("TINY_TOKEN=");
    // Encrypted at rest: the value is in neither the SQLite database nor its write-ahead log.
    const databaseFiles = readdirSync(home).filter((name) => name.startsWith("quire.db"));
    expect(databaseFiles).toContain("quire.db");
    for (const name of databaseFiles) expect(readFileSync(path.join(home, name)).includes(secret)).toBe(false);
  });
});
