import { describe, expect, it } from "vitest";
import { skipReason } from "./auto-review.js";
import { readForgeEvent } from "./webhook-events.js";

describe("automatic review", () => {
  it("reviews other people's ready pull requests, not drafts nor Quire's own branches", () => {
    const ready = { draft: false, headBranch: "feature/x" };
    expect(skipReason(ready, [], true)).toBeNull();
    expect(skipReason({ ...ready, draft: true }, [], true)).toBe("a draft");
    expect(skipReason({ ...ready, headBranch: "quire/fix-add-1234abcd" }, [], true)).toBe("Quire's own branch");
    expect(skipReason(ready, ["feature/x"], true)).toBe("Quire's own branch");
    expect(skipReason(ready, [], false)).toBe("review mode is not available");
  });

  it("reads opened and pushed-to pull requests from each forge's payload, drafts marked", () => {
    const github = readForgeEvent("github", "pull_request", {
      action: "synchronize",
      number: 4,
      pull_request: { draft: true, head: { ref: "f" } },
      repository: { full_name: "a/b" },
      sender: { login: "u" },
    });
    expect(github).toMatchObject({ type: "pull_request", action: "updated", draft: true, number: 4, repo: "a/b" });
    const gitlab = readForgeEvent("gitlab", "Merge Request Hook", {
      object_kind: "merge_request",
      user: { id: 3, username: "u" },
      project: { path_with_namespace: "g/s/p" },
      object_attributes: { iid: 9, action: "update", source_branch: "f", oldrev: "abc" },
    });
    expect(gitlab).toMatchObject({ action: "updated", number: 9, repo: "g/s/p", author: { login: "u", id: 3 } });
    // A GitLab update without new commits (a title edit) is not a reason to review again.
    const edited = readForgeEvent("gitlab", "Merge Request Hook", {
      object_kind: "merge_request",
      user: { id: 3, username: "u" },
      project: { path_with_namespace: "g/p" },
      object_attributes: { iid: 9, action: "update", source_branch: "f" },
    });
    expect(edited).toBeNull();
    const gitea = readForgeEvent("gitea", "pull_request", {
      action: "opened",
      number: 2,
      pull_request: { title: "WIP: later", head: { ref: "f" } },
      repository: { full_name: "a/b" },
      sender: { login: "u" },
    });
    expect(gitea).toMatchObject({ action: "opened", draft: true });
  });
});
