/**
 * Posting a stored review (the shape review mode ends with) on each forge's pull request, over
 * real HTTP with the local test forge reading the change from a real git repository: findings at
 * lines of the diff become inline comments at that path and line; one elsewhere goes into the body.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ReviewResult } from "@quire/core";
import { afterEach, describe, expect, it } from "vitest";
import { git, makeRepo, writeFiles } from "../../../../test/helpers/repo.js";
import { forgesFromEnv, type ForgeKindName } from "../delivery/index.js";
import { postReviewResult } from "./answers.js";
import { forgeClient } from "./client.js";
import { startTestForge, type TestForge } from "../../testing/forges.js";

const TOKEN = "review-token";
const lines = (count: number, changed: number) =>
  Array.from({ length: count }, (_, i) => (i + 1 === changed ? `line ${i + 1} changed\n` : `line ${i + 1}\n`)).join("");

const result: ReviewResult = {
  findings: [
    {
      title: "Off by one",
      body: "The loop stops one short.",
      priority: 1,
      confidence: 0.8,
      path: "src/a.txt",
      start_line: 29,
      end_line: 30,
    },
    {
      title: "Old code",
      body: "Untouched here, but wrong.",
      priority: 2,
      confidence: 0.5,
      path: "src/a.txt",
      start_line: 2,
      end_line: 2,
    },
  ],
  overall: { verdict: "needs changes", explanation: "One bug in the loop." },
};

let forge: TestForge | undefined;
afterEach(async () => forge?.close());

describe.each(["github", "gitlab", "gitea"] as ForgeKindName[])("posting a review on %s", (kind) => {
  it("puts findings in the diff inline at their path and lines, and the others in the body", async () => {
    const source = makeRepo({ "src/a.txt": lines(60, 0) });
    const bare = mkdtempSync(path.join(os.tmpdir(), "quire-review-bare-"));
    execFileSync("git", ["clone", "--quiet", "--bare", source, bare]);
    git(source, "checkout", "--quiet", "-b", "feature");
    writeFiles(source, { "src/a.txt": lines(60, 30) });
    git(source, "commit", "--quiet", "-am", "change line 30");
    git(source, "push", "--quiet", bare, "feature");
    const base =
      git(source, "rev-parse", "HEAD~1").trim().length > 0 ? git(bare, "symbolic-ref", "--short", "HEAD").trim() : "";

    forge = await startTestForge({ kind, token: TOKEN, project: "acme/widgets", gitDir: bare });
    forge.pulls.push({ number: 12, title: "Change", body: "", head: "feature", base, draft: false });
    const forges = forgesFromEnv(
      {},
      kind === "github"
        ? { github: { apiUrl: forge.url, token: TOKEN } }
        : kind === "gitlab"
          ? { gitlab: { host: forge.url, token: TOKEN } }
          : { gitea: { url: forge.url, token: TOKEN } },
    );
    await postReviewResult(forgeClient({ kind, repo: "acme/widgets" }, forges), 12, result);

    const head = git(bare, "rev-parse", "refs/heads/feature").trim();
    const inline = forge.reviews.flatMap((review) => review.comments);
    expect(inline).toHaveLength(1);
    expect(inline[0]).toMatchObject({ path: "src/a.txt", line: 30 });
    expect(inline[0]!.body).toContain("Off by one");
    if (kind === "github") expect(inline[0]!.startLine).toBe(29);
    expect(forge.reviews.every((review) => review.commitId === head)).toBe(true);
    // The body: the verdict, and the finding outside the diff with its place.
    const body = kind === "gitlab" ? forge.comments.map((c) => c.body).join("\n") : forge.reviews[0]!.body;
    expect(body).toContain("needs changes");
    expect(body).toContain("`src/a.txt:2` **[P2] Old code**");
    expect(body).not.toContain("Off by one");
  });
});
