import { describe, expect, it } from "vitest";
import { readMention } from "./mentions.js";
import { linkCitations, unmention } from "./replies.js";
import { commentableLines } from "./review-comments.js";

describe("readMention", () => {
  it("reads a code request, ask and review from a line-leading mention", () => {
    expect(readMention("@quire fix the flaky test", "quire")).toEqual({
      command: "code",
      request: "fix the flaky test",
    });
    expect(readMention("Thanks!\n\n@Quire ask where is the date parsed?", "quire")).toEqual({
      command: "ask",
      request: "where is the date parsed?",
    });
    expect(readMention("@quire review", "quire")).toEqual({ command: "review", request: "" });
    expect(readMention("@helper: do it", "helper")).toEqual({ command: "code", request: "do it" });
  });

  it("ignores mentions mid-sentence, in quotes, and of longer names", () => {
    expect(readMention("I asked @quire fix it yesterday", "quire")).toBeNull();
    expect(readMention("> @quire fix it\nagreed", "quire")).toBeNull();
    expect(readMention("@quirebot fix it", "quire")).toBeNull();
    expect(readMention("@quire-dev fix it", "quire")).toBeNull();
  });
});

describe("replies", () => {
  it("links path:line citations at the commit and leaves other text alone", () => {
    const linked = linkCitations(
      "See `src/date.ts:40-52` and lib/a.js:3, not /etc/passwd:1 or v1.2:3.",
      (p, s, e) => `https://forge/${p}#L${s}${e ? `-L${e}` : ""}`,
    );
    expect(linked).toContain("[`src/date.ts:40-52`](https://forge/src/date.ts#L40-L52)");
    expect(linked).toContain("[`lib/a.js:3`](https://forge/lib/a.js#L3)");
    expect(linked).toContain("/etc/passwd:1");
  });

  it("never lets a task's text mention anyone", () => {
    expect(unmention("ping @quire and @octocat, mail a@b.c")).not.toMatch(/(^|\s)@[a-z]/);
    expect(unmention("mail a@b.c")).toBe("mail a@b.c");
  });
});

describe("commentableLines", () => {
  it("takes each hunk's new-side range per file, not deleted files", () => {
    const diff = [
      "diff --git a/x.ts b/x.ts",
      "--- a/x.ts",
      "+++ b/x.ts",
      "@@ -10,3 +10,4 @@ f()",
      " a",
      "+b",
      " c",
      " d",
      "diff --git a/gone.ts b/gone.ts",
      "--- a/gone.ts",
      "+++ /dev/null",
      "@@ -1,2 +0,0 @@",
      "-x",
      "-y",
    ].join("\n");
    expect([...commentableLines(diff)]).toEqual([["x.ts", [{ start: 10, end: 13 }]]]);
  });
});
