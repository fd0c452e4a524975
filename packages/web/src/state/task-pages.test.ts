import { describe, expect, it } from "vitest";
import type { Task } from "@quire/protocol";
import { withFirstPage, withOlderPage } from "./task-pages";

const task = (n: number, status: Task["status"] = "completed"): Task =>
  ({
    id: `t${String(n).padStart(3, "0")}`,
    createdAt: `2026-01-01T00:00:${String(n).padStart(2, "0")}Z`,
    status,
  }) as Task;
const ids = (tasks: Task[]) => tasks.map((t) => t.id);

describe("merging task pages", () => {
  it("appends older pages and keeps them when the first page is polled again", () => {
    let loaded = withFirstPage(null, { tasks: [task(9), task(8), task(7)], next: "c7" });
    expect(loaded.next).toBe("c7");
    loaded = withOlderPage(loaded, { tasks: [task(6), task(5), task(4)], next: "c4" });
    // A new task arrives: the first page shifts by one, and 7 is only in what was loaded.
    loaded = withFirstPage(loaded, { tasks: [task(10), task(9, "failed"), task(8)], next: "c8" });
    expect(ids(loaded.tasks)).toEqual(["t010", "t009", "t008", "t007", "t006", "t005", "t004"]);
    expect(loaded.tasks[1]!.status).toBe("failed");
    expect(loaded.next).toBe("c4");
  });

  it("drops a task the fresh first page no longer lists within its range", () => {
    let loaded = withFirstPage(null, { tasks: [task(9), task(8), task(7)], next: "c7" });
    loaded = withFirstPage(loaded, { tasks: [task(9), task(7), task(6)], next: "c6" });
    expect(ids(loaded.tasks)).toEqual(["t009", "t007", "t006"]);
    loaded = withFirstPage(loaded, { tasks: [task(9)], next: null });
    expect(ids(loaded.tasks)).toEqual(["t009"]);
    expect(loaded.next).toBeNull();
  });
});
