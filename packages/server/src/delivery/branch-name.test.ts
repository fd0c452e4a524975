import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { deliveryBranchName, slugOf } from "./branch-name.js";

const id = "mgx3k2p1a4f9c2e7b81d";

describe("the delivery branch's name", () => {
  it("is quire/<slug of the first line>-<the id's last 8 characters>", () => {
    expect(deliveryBranchName({ id, prompt: "Fix the flaky date test\n\nIt fails on Mondays." })).toBe(
      "quire/fix-the-flaky-date-test-c2e7b81d",
    );
    expect(slugOf("Café: naïve   résumé (v2.1)!")).toBe("cafe-naive-resume-v2-1");
    expect(slugOf("  ")).toBe("");
    expect(deliveryBranchName({ id, prompt: "日本語だけ" })).toBe(`quire/task-${id.slice(-8)}`);
  });

  it("stays short, cut at a word boundary", () => {
    const slug = slugOf(
      "Refactor the environment definition parser so that secrets are validated before anything runs",
    );
    expect(slug.length).toBeLessThanOrEqual(48);
    expect(slug).toBe("refactor-the-environment-definition-parser-so");
  });

  it("is always a valid git branch name, whatever the prompt says", () => {
    const prompts = [
      "../../etc/passwd",
      "-rf --force",
      "feature.lock",
      "@{upstream}",
      "a\u0000b\u001fc\u007f",
      "refs/heads/main",
      "..",
      "~^:?*[\\",
      "x".repeat(500),
      "",
    ];
    const names = prompts.map((prompt) => deliveryBranchName({ id, prompt }));
    for (const name of names) {
      expect(name).toMatch(/^quire\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(() => execFileSync("git", ["check-ref-format", "--branch", name], { stdio: "pipe" })).not.toThrow();
    }
  });
});
