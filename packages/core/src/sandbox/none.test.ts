import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filteredEnv } from "./host-env.js";
import { createNoneSandbox } from "./none.js";
import type { ExecRequest } from "./types.js";

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-none-")));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

function run(argv: string[], request: Partial<ExecRequest> = {}) {
  const sandbox = createNoneSandbox({ workspace, writable: true, network: false });
  return sandbox.exec({ argv, cwd: workspace, timeoutMs: 10_000, maxOutputBytes: 64 * 1024, ...request });
}

function processesWith(token: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(token)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe("none sandbox", () => {
  it("runs in the requested directory and passes the exit code through", async () => {
    const result = await run(["sh", "-c", "pwd; echo oops >&2; exit 4"]);
    expect(result).toMatchObject({ exitCode: 4, timedOut: false, cancelled: false });
    expect(result.output).toContain(`${workspace}\n`);
    expect(result.output).toContain("oops\n");
  });

  it("reports a missing command as 127 with a clear message", async () => {
    const result = await run(["quire-no-such-command", "x"]);
    // prlimit (which applies the rlimits, then execs the command) reports it.
    expect(result.exitCode).toBe(127);
    expect(result.output).toContain("quire-no-such-command: command not found\n");
    // Said the way a shell says it, not by the wrapper that sets the limits.
    expect(result.output).not.toMatch(/prlimit|bwrap|execvp/);
    const nowhere = await run(["true"], { cwd: path.join(workspace, "missing") });
    expect(nowhere.output).toContain("no such working directory");
  });

  it("drops variables that look like secrets, keeps the rest and the request's", async () => {
    process.env.QUIRE_TEST_SECRET_KEY = "sk-1";
    process.env.QUIRE_TEST_GITHUB_TOKEN = "ghp-2";
    process.env.QUIRE_TEST_PLAIN = "visible";
    try {
      const result = await run(["env"], { env: { GIVEN: "yes" } });
      expect(result.output).not.toMatch(/sk-1|ghp-2/);
      expect(result.output).toContain("QUIRE_TEST_PLAIN=visible\n");
      expect(result.output).toContain("GIVEN=yes\n");
    } finally {
      delete process.env.QUIRE_TEST_SECRET_KEY;
      delete process.env.QUIRE_TEST_GITHUB_TOKEN;
      delete process.env.QUIRE_TEST_PLAIN;
    }
  });

  it("filters by name, case-insensitively", () => {
    const env = filteredEnv({ OPENAI_API_KEY: "a", db_password: "b", DATABASE_URL: "c", Aws_Secret: "d", PATH: "/x" });
    expect(env).toEqual({ PATH: "/x" });
  });

  it("kills the whole process group on timeout", async () => {
    const token = `300.${Date.now() % 1_000_000}`;
    const result = await run(["sh", "-c", `sleep ${token} >/dev/null 2>&1 & sleep ${token}`], { timeoutMs: 300 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(result.durationMs).toBeLessThan(3000);
    expect(processesWith(token)).toEqual([]);
  });

  it("does not wait for, nor leave behind, background children once the command exits", async () => {
    const token = `400.${Date.now() % 1_000_000}`;
    const result = await run(["sh", "-c", `sleep ${token} & echo started`]);
    expect(result).toMatchObject({ exitCode: 0, output: "started\n", timedOut: false });
    expect(result.durationMs).toBeLessThan(3000);
    expect(processesWith(token)).toEqual([]);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await run(["sleep", "30"], { signal: controller.signal });
    expect(result).toMatchObject({ exitCode: null, cancelled: true, timedOut: false });
    expect(result.durationMs).toBeLessThan(3000);
  });
});
