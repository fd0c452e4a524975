import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempHome } from "../../../../test/helpers/quire.js";
import { failingTestRepo, git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { requestText } from "../../../../test/helpers/requests.js";
import { defaultAgentLimits } from "../agent/loop.js";
import type { QuireEvent } from "../events.js";
import { createModelClient } from "../models/index.js";
import { startTask } from "./run-task.js";
import { type ScriptedModelServer, type ScriptedReply, startScriptedModelServer } from "@quire/testing";
import { reviewRange } from "./review-range.js";

const finding = {
  title: "add multiplies",
  body: "`add(2, 3)` returns 6.",
  priority: 1,
  confidence: 0.9,
  path: "src/add.js",
  start_line: 2,
  end_line: 2,
};
const verdict = { findings: [finding], overall: { verdict: "needs changes", explanation: "add is wrong." } };

const cleanup: string[] = [];
let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A repository whose `feature` branch breaks add (a - b becomes a * b) in one commit. */
function repoWithFeature(): string {
  const repo = makeRepo(failingTestRepo);
  git(repo, "checkout", "--quiet", "-b", "feature");
  writeFiles(repo, { "src/add.js": "export function add(a, b) {\n  return a * b;\n}\n" });
  git(repo, "commit", "--quiet", "-am", "multiply");
  cleanup.push(repo);
  return repo;
}

async function review(script: ScriptedReply[]) {
  const repo = repoWithFeature();
  const home = tempHome();
  cleanup.push(home);
  server = await startScriptedModelServer(script);
  const range = await reviewRange(repo, "main", "feature");
  const events: QuireEvent[] = [];
  const result = await startTask({
    home,
    repo,
    mode: "review",
    revision: range.mergeBase,
    review: { description: "main...feature", diff: range.diff },
    prompt: "Review this change",
    model: createModelClient({ provider: "openai", model: "m", baseUrl: server.url, apiKey: "k" }, {}),
    sandbox: "bwrap",
    limits: defaultAgentLimits,
    contextWindow: 200_000,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
  });
  return { result, events, range, requests: server.requests };
}

const items = (events: QuireEvent[]) =>
  events.flatMap((event) => (event.type === "item.completed" ? [event.item] : []));

describe("a review task", () => {
  it("reads the change read-only in the sandbox and ends with validated findings", async () => {
    const { result, events, range, requests } = await review([
      {
        toolCalls: [
          { name: "shell", arguments: { command: ["git", "diff", "--stat"] } },
          { name: "shell", arguments: { command: ["bash", "-lc", "echo x > src/add.js"] } },
        ],
      },
      { text: JSON.stringify(verdict) },
    ]);
    expect(result.status).toBe("completed");
    expect(result.review).toEqual(verdict);
    // The task's diff is the change under review, nothing the agent did.
    expect(range.commits).toBe(1);
    expect(result.diff).toContain("-  return a - b;\n+  return a * b;");
    expect(result.diff).toBe(range.diff);
    // The request carries the review prompt, the diff, and no write tool.
    const first = requests[0]!.body as { instructions: string; tools: { name: string }[] };
    expect(first.instructions).toContain("What to flag");
    expect(first.tools.map((tool) => tool.name)).not.toContain("apply_patch");
    expect(requestText(requests[0]!)).toContain("+  return a * b;");
    // git in the sandbox sees the change as uncommitted edits; the write failed.
    const commands = items(events).filter((item) => item.type === "command_execution");
    expect(commands[0]).toMatchObject({ exit_code: 0, aggregated_output: expect.stringContaining("src/add.js") });
    expect(commands[1]).toMatchObject({ status: "failed" });
    // The review item follows the final agent message that carried it.
    const kinds = items(events).map((item) => item.type);
    expect(kinds.slice(-2)).toEqual(["agent_message", "review"]);
    expect(items(events).at(-1)).toMatchObject({ type: "review", ...verdict });
    expect(events.at(-1)).toMatchObject({ type: "task.completed", status: "completed" });
  });

  it("asks again once when the reply does not fit, and takes the second", async () => {
    const { result, requests } = await review([
      { text: "Looks fine to me." },
      { text: "```json\n" + JSON.stringify(verdict) + "\n```" },
    ]);
    expect(result.status).toBe("completed");
    expect(result.review).toEqual(verdict);
    expect(requests).toHaveLength(2);
    expect(requestText(requests[1]!)).toContain("could not be read as the review's JSON object");
  });

  it("fails clearly when the reply does not fit twice", async () => {
    const misfit = { ...verdict, findings: [{ ...finding, priority: 9 }] };
    const { result, events, requests } = await review([{ text: "LGTM" }, { text: JSON.stringify(misfit) }]);
    expect(requests).toHaveLength(2);
    expect(result.status).toBe("failed");
    expect(result.review).toBeUndefined();
    expect(result.reason).toMatch(/did not fit the findings form, asked twice: findings\.0\.priority/);
    expect(items(events).some((item) => item.type === "review")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "task.completed", status: "failed", reason: result.reason });
  });
});

describe("reviewRange", () => {
  it("refuses revisions that do not exist", async () => {
    const repo = repoWithFeature();
    await expect(reviewRange(repo, "nope", "feature")).rejects.toThrow(/no commit nope/);
  });

  it("runs none of the diff commands a repository's config names, and its attributes hide no text as binary", async () => {
    const repo = repoWithFeature();
    const marker = path.join(repo, "..", `${path.basename(repo)}-ran`);
    cleanup.push(marker);
    writeFiles(repo, { ".gitattributes": "*.js diff=evil\nsrc/*.js -diff\n" });
    git(repo, "add", ".gitattributes");
    git(repo, "commit", "--quiet", "-m", "attributes");
    git(repo, "config", "diff.evil.textconv", `sh -c 'touch ${marker}; cat "$1"' -`);
    git(repo, "config", "diff.external", `sh -c 'touch ${marker}'`);
    const range = await reviewRange(repo, "main", "feature");
    expect(range.diff).toContain("+  return a * b;");
    expect(range.diff).not.toContain("Binary");
    expect(existsSync(marker)).toBe(false);
  });
});
