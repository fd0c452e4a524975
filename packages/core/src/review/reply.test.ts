import { describe, expect, it } from "vitest";
import { parseReviewReply, REVIEW_DIFF_PROMPT_BYTES, reviewRequestPrompt, reviewRetryPrompt } from "./reply.js";

const finding = {
  title: "add subtracts",
  body: "`add(2, 3)` is -1.",
  priority: 1,
  confidence: 0.9,
  path: "src/add.js",
  start_line: 2,
  end_line: 2,
};
const result = { findings: [finding], overall: { verdict: "needs changes", explanation: "add is wrong." } };

describe("parseReviewReply", () => {
  it("reads the whole reply, a fenced block after prose, or the object inside prose", () => {
    const json = JSON.stringify(result);
    for (const text of [json, `Here it is:\n\`\`\`json\n${json}\n\`\`\`\n`, `My review: ${json} Thanks.`]) {
      expect(parseReviewReply(text)).toEqual({ ok: true, result });
    }
  });

  it("names what does not fit: wrong priority, missing verdict, not JSON, empty", () => {
    const bad = { findings: [{ ...finding, priority: 7 }], overall: { explanation: "x" } };
    const reply = parseReviewReply(JSON.stringify(bad));
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.problem).toContain("findings.0.priority");
    expect(reply.problem).toContain("overall.verdict");
    expect(parseReviewReply("Looks good to me!")).toMatchObject({ ok: false, problem: /not a JSON object/ });
    expect(parseReviewReply(null)).toMatchObject({ ok: false, problem: "the reply was empty" });
  });

  it("bounds the problems told back to the model", () => {
    const many = { findings: Array.from({ length: 100 }, () => ({ title: "" })), overall: {} };
    const reply = parseReviewReply(JSON.stringify(many));
    if (reply.ok) throw new Error("accepted a misfit");
    expect(Buffer.byteLength(reply.problem)).toBeLessThanOrEqual(2004);
    expect(reviewRetryPrompt(reply.problem)).toContain('"verdict"');
  });
});

describe("reviewRequestPrompt", () => {
  it("quotes the diff and the person's words", () => {
    const prompt = reviewRequestPrompt({ description: "main...HEAD", diff: "diff --git a/x b/x\n", focus: "security" });
    expect(prompt).toContain("Review the change: main...HEAD.");
    expect(prompt).toContain("```diff\ndiff --git a/x b/x\n```");
    expect(prompt).toContain("security");
  });

  it("shows only the head of a large diff and says where the rest is", () => {
    const diff = "+".repeat(REVIEW_DIFF_PROMPT_BYTES * 3);
    const prompt = reviewRequestPrompt({ description: "big", diff });
    expect(Buffer.byteLength(prompt)).toBeLessThan(REVIEW_DIFF_PROMPT_BYTES + 1024);
    expect(prompt).toContain(`the diff is ${diff.length} bytes`);
    expect(prompt).toContain("`git diff`");
  });
});
