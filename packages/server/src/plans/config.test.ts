import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "@quire/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPlansConfig, parsePlansConfig, parsePlansConfigSource, PLANS_FILE_NAME } from "./config.js";
import { PlansConfigSource } from "./config-source.js";
import { priceFor } from "./pricing.js";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("plans configuration", () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "quire-plans-"));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("has the built-in plans when there is no file", async () => {
    const config = await loadPlansConfig(home);
    expect(config.file).toBeUndefined();
    expect(config.defaultPlan).toBe("free");
    expect(Object.keys(config.plans).sort()).toEqual(["edu", "enterprise", "free", "plus", "pro", "team"]);
    expect(config.plans.edu!.available).toBe(false);
    expect(config.plans.enterprise!.tasksPer5h).toBeNull();
    expect(config.plans.free).toMatchObject({ maxAttempts: 1, concurrentTasks: 1, tasksPer5h: 10 });
  });

  it("lays a file's keys over the built-in plans and adds complete new ones", async () => {
    await writeFile(
      path.join(home, PLANS_FILE_NAME),
      [
        'default_plan = "plus"',
        "[plans.pro]",
        "tasks_per_5h = 7",
        'max_task_cost_usd = "unlimited"',
        "[plans.edu]",
        "available = true",
        "[plans.research]",
        "tasks_per_5h = 1",
        "tasks_per_week = 2",
        "concurrent_tasks = 1",
        "max_attempts = 4",
        'models = ["o3*"]',
        "max_task_minutes = 600",
        "sandbox_minutes_per_week = 60.5",
        "max_task_cost_usd = 100",
        "[[prices]]",
        'model = "gpt-5*"',
        "input = 2",
        "output = 20",
      ].join("\n"),
    );
    const config = await loadPlansConfig(home);
    expect(config.file).toBe(path.join(home, PLANS_FILE_NAME));
    expect(config.defaultPlan).toBe("plus");
    expect(config.plans.pro).toMatchObject({ tasksPer5h: 7, tasksPerWeek: 2_000, maxTaskCostUsd: null, title: "Pro" });
    expect(config.plans.edu!.available).toBe(true);
    expect(config.plans.research).toMatchObject({ title: "Research", available: true, models: ["o3*"] });
    expect(config.plans.research!.sandboxMinutesPerWeek).toBe(60.5);
    // The file's price row wins over the built-in gpt-5 row; cached input defaults to input.
    expect(priceFor(config.prices, "gpt-5.1-codex")).toEqual({ model: "gpt-5*", input: 2, cachedInput: 2, output: 20 });
    expect(priceFor(config.prices, "claude-sonnet-4-5")?.input).toBe(3);
    expect(priceFor(config.prices, "llama3")).toBeUndefined();
  });

  it("names the file and every offending key", () => {
    const error = configError(() =>
      parsePlansConfig(
        {
          plans: {
            pro: { tasks_per_5h: -1, max_attempts: 5, colour: "red" },
            custom: { tasks_per_5h: 3 },
            "Bad Name": {},
          },
          prices: [{ model: "x", input: "cheap", output: 1 }],
          extra: 1,
        },
        "/home/q/.quire/plans.toml",
      ),
    );
    expect(error.file).toBe("/home/q/.quire/plans.toml");
    expect(error.message).toContain("invalid plans configuration in /home/q/.quire/plans.toml");
    const keys = error.problems.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "plans.pro.tasks_per_5h",
        "plans.pro.max_attempts",
        "plans.pro.colour",
        "prices[0].input",
        "extra",
      ]),
    );
    expect(error.problems.find((p) => p.key === "plans.pro.tasks_per_5h")?.message).toMatch(/unlimited/);
    expect(error.problems.some((p) => p.message.includes("lower case"))).toBe(true);
  });

  it("requires every entitlement of a plan that is not built in", () => {
    const error = configError(() =>
      parsePlansConfig({ plans: { custom: { tasks_per_5h: 3, max_attempts: 2 } } }, "plans.toml"),
    );
    const keys = error.problems.map((p) => p.key);
    expect(keys).toContain("plans.custom.models");
    expect(keys).toContain("plans.custom.concurrent_tasks");
    expect(keys).not.toContain("plans.custom.tasks_per_5h");
    expect(error.problems[0]!.message).toMatch(/not built in/);
  });

  it("refuses a default plan that does not exist or is not available", () => {
    expect(configError(() => parsePlansConfig({ default_plan: "gold" })).message).toMatch(
      /default_plan: no plan named gold/,
    );
    expect(configError(() => parsePlansConfig({ default_plan: "edu" })).key).toBe("default_plan");
  });

  it("reports invalid TOML with the file, line and column", () => {
    const error = configError(() => parsePlansConfigSource("[plans.pro]\ntasks_per_5h = = 3\n", "/x/plans.toml"));
    expect(error.message).toMatch(/^\/x\/plans\.toml:2:\d+: invalid TOML/);
  });

  it("reads the file again when it changes, and reports a broken edit", async () => {
    const file = path.join(home, PLANS_FILE_NAME);
    const source = new PlansConfigSource(home);
    expect((await source.get()).plans.free!.tasksPer5h).toBe(10);
    await writeFile(file, "[plans.free]\ntasks_per_5h = 3\n");
    expect((await source.get()).plans.free!.tasksPer5h).toBe(3);
    const same = await source.get();
    expect(await source.get()).toBe(same);
    await writeFile(file, "[plans.free]\ntasks_per_5h = 4.5\n");
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    await expect(source.get()).rejects.toThrow(/plans\.free\.tasks_per_5h/);
  });
});
