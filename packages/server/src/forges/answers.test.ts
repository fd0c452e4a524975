/**
 * The answer when a task started from the forge ends, with a stored result: a review task's
 * findings are posted as a review on the pull request (inline at their lines), a failed task
 * says why. Storage, the event hub and the test forge are real; the tasks are ended by hand as a
 * worker would end them (review mode itself runs on its own branch).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ReviewResult } from "@quire/core";
import { until } from "@quire/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { forgesFromEnv } from "../delivery/index.js";
import { startTestApi, type TestApi } from "../../testing/api.js";
import type { Repository } from "../storage/index.js";
import { syncTaskStatus } from "../tasks/status.js";
import { startTestForge, type TestForge } from "../../testing/forges.js";

const review: ReviewResult = {
  findings: [
    {
      title: "Wrong sign",
      body: "Adds, should subtract.",
      priority: 0,
      confidence: 0.9,
      path: "calc.js",
      start_line: 2,
      end_line: 2,
    },
  ],
  overall: { verdict: "needs changes", explanation: "The sign flipped." },
};

describe("answers on the forge when a task ends", () => {
  let api: TestApi;
  let forge: TestForge;
  let repository: Repository;
  beforeAll(async () => {
    const source = makeRepo({ "calc.js": "export const f = (a, b) =>\n  a - b;\n" });
    const bare = mkdtempSync(path.join(os.tmpdir(), "quire-answers-bare-"));
    execFileSync("git", ["clone", "--quiet", "--bare", source, bare]);
    git(source, "checkout", "--quiet", "-b", "flip");
    writeFiles(source, { "calc.js": "export const f = (a, b) =>\n  a + b;\n" });
    git(source, "commit", "--quiet", "-am", "flip");
    git(source, "push", "--quiet", bare, "flip");
    forge = await startTestForge({ kind: "github", token: "t", project: "acme/calc", gitDir: bare });
    forge.pulls.push({ number: 12, title: "Flip", body: "", head: "flip", base: "main", draft: false });
    const forges = forgesFromEnv({}, { github: { apiUrl: forge.url, token: "t" } });
    api = await startTestApi("sqlite", { delivery: { author: { name: "Q", email: "q@example.test" }, forges } });
    repository = await api.repos.repositories.create({
      name: "calc",
      source,
      forge: { kind: "github", repo: "acme/calc" },
    });
  });
  afterAll(async () => {
    await api?.close();
    await forge?.close();
  });

  /** A task that a worker took and ended with `result`. */
  async function endedTask(result: { status: "completed" | "failed"; finalMessage?: string; reason?: string }) {
    const { task, attempts } = await api.repos.tasks.create({
      repositoryId: repository.id,
      ref: "main",
      mode: "ask",
      prompt: "Review pull request #12",
      attempts: 1,
    });
    await api.repos.attempts.claim("worker-1", { leaseMs: 60_000, attemptId: attempts[0]!.id });
    await api.repos.attempts.finish(attempts[0]!.id, "worker-1", result);
    await syncTaskStatus({ repos: api.repos, hub: api.app.hub }, task.id);
    return task;
  }

  it("posts a review task's findings as one review, inline at their line", async () => {
    const task = await endedTask({ status: "completed", finalMessage: JSON.stringify(review) });
    await api.app.forgeAnswers.expect({
      taskId: task.id,
      forge: "github",
      forgeRepo: "acme/calc",
      number: 12,
      onPullRequest: true,
      command: "review",
      login: "wanda",
    });
    const posted = await until(() => forge.reviews[0], "the review");
    expect(posted.number).toBe(12);
    expect(posted.comments).toEqual([expect.objectContaining({ path: "calc.js", line: 2 })]);
    expect(posted.body).toContain("needs changes");
    // Answered once: the trigger is marked.
    expect(await api.repos.forges.unansweredFor(task.id)).toEqual([]);
  });

  it("says why a task failed", async () => {
    const task = await endedTask({ status: "failed", reason: "the model gave up" });
    await api.app.forgeAnswers.expect({
      taskId: task.id,
      forge: "github",
      forgeRepo: "acme/calc",
      number: 3,
      onPullRequest: false,
      command: "code",
      login: "wanda",
    });
    const said = await until(() => forge.comments.find((c) => c.number === 3), "the comment");
    expect(said.body).toContain("did not finish: the model gave up");
    expect(said.body).toContain(`/tasks/${task.id}`);
  });
});
