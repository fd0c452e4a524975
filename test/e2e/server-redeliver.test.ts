/**
 * Delivering a task again through `quire serve`: deliver → follow-up → deliver moves the same
 * branch forward by one commit holding both rounds' changes; a branch someone else moved is a 409
 * that names their commit, and nothing is pushed. (The pull request's comment is covered with the
 * local test forge in packages/server/src/delivery/redeliver.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScriptedReply } from "@quire/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { failingTestRepo, fixAddPatch, git, makeRepo, writeFiles } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, perConversation, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";
import { dropPostgresSchemas, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterAll(dropPostgresSchemas);
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const addNotesPatch = ["*** Begin Patch", "*** Add File: NOTES.md", "+add() adds now.", "*** End Patch"].join("\n");

const replies: ScriptedReply[] = [
  // Round 1: the fix.
  { toolCalls: [{ name: "apply_patch", arguments: { input: fixAddPatch } }] },
  { text: "Fixed `add`." },
  // Round 2 (first follow-up): a note beside it.
  { toolCalls: [{ name: "apply_patch", arguments: { input: addNotesPatch } }] },
  { text: "Added NOTES.md." },
];

interface Delivery {
  branch: string;
  commit: string;
  commits: string[];
  updated: boolean;
  message: string;
}

describe.each(serverDatabases())("delivering again through quire serve on $name", (database) => {
  it("updates the same branch by one commit after a follow-up; a branch moved by someone else is a 409", async () => {
    const model = await scriptedModel(perConversation((_key, turn) => replies[turn] ?? { text: "Nothing more." }));
    const home = tempHome();
    const env = { ...providerEnv("openai", model.url), ...(await database.env()) };
    const server = await startServe({ home, env, args: ["-m", "scripted-model", "--workers", "2"] });
    running.push(server);
    const remote = mkdtempSync(path.join(os.tmpdir(), "quire-redeliver-remote-"));
    execFileSync("git", ["init", "--quiet", "--bare", remote]);
    const source = makeRepo(failingTestRepo);
    git(source, "remote", "add", "origin", remote);
    const base = git(source, "rev-parse", "HEAD").trim();
    const registered = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${server.url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    const repository = registered.body.repository;
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "code",
      prompt: "fix the failing test",
    });
    const taskId = created.body.task.id;
    const round1 = await readTaskEvents(server.url, taskId);
    expect(round1.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });

    const deliverUrl = `${server.url}/api/tasks/${taskId}/deliver`;
    const first = await api<{ delivery: Delivery }>(deliverUrl, "POST", {});
    expect(first.status).toBe(200);
    expect(first.body.delivery.updated).toBe(false);
    const { branch } = first.body.delivery;

    // Each round's stream is read from where the last one ended (deliveries append events in between).
    let lastEventId = round1.at(-1)?.id ?? 0;
    const followUp = async (text: string) => {
      expect((await api(`${server.url}/api/tasks/${taskId}/messages`, "POST", { text })).status).toBe(201);
      const events = await readTaskEvents(server.url, taskId, { lastEventId });
      expect(events.at(-1)?.event).toMatchObject({ type: "task.completed", status: "completed" });
      lastEventId = events.at(-1)?.id ?? lastEventId;
    };
    await followUp("write down what changed");

    // No branch in the request: the same branch, one commit further, with both rounds' changes.
    const second = await api<{ delivery: Delivery }>(deliverUrl, "POST", {});
    expect(second.status).toBe(200);
    const update = second.body.delivery;
    expect(update).toMatchObject({ branch, updated: true, commits: [first.body.delivery.commit, update.commit] });
    expect(git(remote, "rev-parse", `refs/heads/${branch}`).trim()).toBe(update.commit);
    expect(git(remote, "rev-parse", `${update.commit}^`).trim()).toBe(first.body.delivery.commit);
    expect(git(remote, "rev-list", "--count", `${base}..${branch}`).trim()).toBe("2");
    expect(git(remote, "show", `${update.commit}:src/add.js`)).toContain("return a + b;");
    expect(git(remote, "show", `${update.commit}:NOTES.md`)).toBe("add() adds now.\n");
    // The task's record keeps what was pushed.
    const task = await api<{ task: { delivery: Delivery } }>(`${server.url}/api/tasks/${taskId}`, "GET");
    expect(task.body.task.delivery.commits).toEqual(update.commits);

    // Someone else pushes to the branch; the next delivery must not build on (or over) their commit.
    const theirs = mkdtempSync(path.join(os.tmpdir(), "quire-redeliver-theirs-"));
    git(theirs, "clone", "--quiet", "--branch", branch, remote, ".");
    writeFiles(theirs, { "NOTES.md": "mine\n" });
    git(theirs, "-c", "user.name=Someone", "-c", "user.email=someone@example.test", "commit", "--quiet", "-am", "mine");
    git(theirs, "push", "--quiet", "origin", branch);
    const moved = git(theirs, "rev-parse", "HEAD").trim();
    await followUp("anything else?");

    const refused = await api<{ error: { message: string; issues: { path: string }[] } }>(deliverUrl, "POST", {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(moved);
    expect(refused.body.error.message).toContain('deliver to a new branch instead, give its name ("branch"');
    expect(refused.body.error.issues).toEqual([expect.objectContaining({ path: "branch" })]);
    expect(git(remote, "rev-parse", `refs/heads/${branch}`).trim()).toBe(moved);
    expect(git(remote, "for-each-ref", "--format=%(refname)").trim()).toBe(`refs/heads/${branch}`);

    // Naming a branch that already exists elsewhere is the caller's to fix (409), and moves nothing.
    git(source, "push", "--quiet", remote, "HEAD:refs/heads/taken");
    const taken = await api<{ error: { message: string; issues: { path: string }[] } }>(deliverUrl, "POST", {
      branch: "taken",
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain('"taken" already exists');
    expect(taken.body.error.issues).toEqual([expect.objectContaining({ path: "branch" })]);
    expect(git(remote, "rev-parse", "refs/heads/taken").trim()).toBe(base);

    // Naming a new branch delivers there, from the base.
    const elsewhere = await api<{ delivery: Delivery }>(deliverUrl, "POST", { branch: `${branch}-2` });
    expect(elsewhere.status).toBe(200);
    expect(git(remote, "rev-parse", `${elsewhere.body.delivery.commit}^`).trim()).toBe(base);
    expect(git(remote, "show", `${elsewhere.body.delivery.commit}:NOTES.md`)).toBe("add() adds now.\n");
  }, 150_000);
});
