import { describe, expect, it } from "vitest";
import { NO_SEARCH, taskQueryOf } from "./task-query";

describe("the task list's query", () => {
  it("asks for each tab's tasks: Running by its statuses, To review only undelivered Code tasks", () => {
    expect(taskQueryOf("all", NO_SEARCH)).toEqual({ archived: false });
    expect(taskQueryOf("running", NO_SEARCH)).toEqual({ archived: false, status: ["queued", "preparing", "running"] });
    expect(taskQueryOf("review", NO_SEARCH)).toEqual({
      archived: false,
      status: ["completed"],
      mode: "code",
      delivered: false,
    });
    expect(taskQueryOf("archived", NO_SEARCH)).toEqual({ archived: true });
  });

  it("adds the search, trimmed, and says when a tab and a search cannot both match", () => {
    const search = { text: "  flaky test ", repo: "r1", status: "failed", mode: "ask" } as const;
    expect(taskQueryOf("all", search)).toEqual({
      archived: false,
      status: ["failed"],
      mode: "ask",
      repo: "r1",
      q: "flaky test",
    });
    expect(taskQueryOf("running", { ...NO_SEARCH, status: "failed" })).toBeNull();
    expect(taskQueryOf("review", { ...NO_SEARCH, mode: "ask" })).toBeNull();
    expect(taskQueryOf("running", { ...NO_SEARCH, status: "running" })).toEqual({
      archived: false,
      status: ["running"],
    });
  });
});
