import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempHome } from "../../../../test/helpers/quire.js";
import { failingTestRepo, git, makeRepo } from "../../../../test/helpers/repo.js";
import { LOCAL_SNAPSHOT_SCOPE, workspaceSnapshotsDir } from "../environments/snapshot.js";
import type { ResolvedEnvironment } from "../environments/types.js";
import type { ThreadItem } from "../events.js";
import { inspectSource } from "../tasks/prepare.js";
import { defaultEnvironment } from "../tasks/task-parts.js";
import { VerificationCancelledError, verifyDiff, type VerifyOptions } from "./verify.js";
import { WorkDirNotEmptyError } from "./work-dir.js";

const fixAdd = [
  "diff --git a/src/add.js b/src/add.js",
  "--- a/src/add.js",
  "+++ b/src/add.js",
  "@@ -1,3 +1,3 @@",
  " export function add(a, b) {",
  "-  return a - b;",
  "+  return a + b;",
  " }",
  "",
].join("\n");

const passingRepo = { ...failingTestRepo, "src/add.js": "export function add(a, b) {\n  return a + b;\n}\n" };
const breakAdd = fixAdd.replace("-  return a - b;\n+  return a + b;", "-  return a + b;\n+  return a * b;");

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Emitted {
  phase: "started" | "updated" | "completed";
  item: ThreadItem;
}

async function verify(
  repoFiles: Record<string, string>,
  diff: string,
  environment: Partial<ResolvedEnvironment> = {},
  options: Partial<VerifyOptions> = {},
) {
  const repo = makeRepo(repoFiles);
  const home = options.home ?? tempHome();
  cleanup.push(repo, home);
  const source = await inspectSource(repo);
  const emitted: Emitted[] = [];
  const workDir = path.join(home, "verifications", "attempt-1");
  const result = await verifyDiff({
    home,
    workDir,
    source,
    environment: { ...defaultEnvironment(), ...environment },
    snapshotScope: LOCAL_SNAPSHOT_SCOPE,
    diff,
    sandbox: "bwrap",
    emitItem: (phase, item) => emitted.push({ phase, item }),
    ...options,
  });
  return { result, emitted, workDir, home, repo, source };
}

function commands(emitted: Emitted[]) {
  return emitted.flatMap(({ phase, item }) =>
    phase === "completed" && item.type === "command_execution" ? [item] : [],
  );
}

/** The checkout as the user has it: no change, no new branch, the same commit. */
function expectUntouched(repo: string, commit: string, addSource: string): void {
  expect(git(repo, "status", "--porcelain")).toBe("");
  expect(git(repo, "rev-parse", "HEAD").trim()).toBe(commit);
  expect(git(repo, "branch", "--list").trim()).toBe("* main");
  expect(readFileSync(path.join(repo, "src/add.js"), "utf8")).toBe(addSource);
}

function expectTornDown(workDir: string): void {
  expect(existsSync(workDir)).toBe(false);
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(workDir);
}

/** The cached, set-up checkouts of the environment (overlay lower dirs), all in the local workspace's folder. */
function snapshotDirs(home: string): string[] {
  const root = workspaceSnapshotsDir(home, LOCAL_SNAPSHOT_SCOPE.workspace);
  return readdirSync(root).flatMap((key) =>
    readdirSync(path.join(root, key))
      .filter((entry) => !entry.startsWith("."))
      .map((commit) => path.join(root, key, commit, "snapshot")),
  );
}

describe("verifyDiff", () => {
  it("verifies a diff that makes the check pass, leaving the source checkout and the snapshot untouched", async () => {
    const { result, emitted, workDir, home, repo, source } = await verify(failingTestRepo, fixAdd, {
      checks: ["node test.js"],
    });
    expect(result.status).toBe("verified");
    expect(result.checks).toEqual([
      {
        command: "node test.js",
        exitCode: 0,
        output: expect.stringContaining("ok: 1 test passed"),
        durationMs: expect.any(Number),
      },
    ]);
    expect(result.log).toMatch(/^\$ node test\.js\nok: 1 test passed\n\[exit 0 after \d+\.\d s\]\n$/);
    const streamed = emitted.filter(({ item }) => item.type === "command_execution").map(({ phase }) => phase);
    expect(streamed[0]).toBe("started");
    expect(commands(emitted)).toEqual([
      expect.objectContaining({ command: "node test.js", exit_code: 0, status: "completed" }),
    ]);
    expectUntouched(repo, source.commit, failingTestRepo["src/add.js"]!);
    expectTornDown(workDir);
    for (const snapshot of snapshotDirs(home)) {
      expect(readFileSync(path.join(snapshot, "src/add.js"), "utf8")).toBe(failingTestRepo["src/add.js"]);
    }
  });

  it("fails a diff that breaks the check, with the check's output in the log, and runs no later check", async () => {
    const { result, emitted, workDir } = await verify(passingRepo, breakAdd, {
      checks: ["node test.js", "echo second-check-ran"],
    });
    expect(result.status).toBe("checks_failed");
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ command: "node test.js", exitCode: 1 });
    // 6 is what only the diff's `a * b` gives: the check ran on the diff, not on the commit.
    expect(result.log).toContain("$ node test.js\nFAIL: add(2, 3) = 6\n");
    expect(result.log).toMatch(/\[exit 1 after \d+\.\d s\]/);
    expect(result.log).not.toContain("second-check-ran");
    expect(commands(emitted)).toEqual([expect.objectContaining({ exit_code: 1, status: "failed" })]);
    expectTornDown(workDir);
  });

  it("fails, without throwing, a diff that does not apply, and runs no check", async () => {
    const { result, emitted, workDir, repo, source } = await verify(failingTestRepo, breakAdd, {
      checks: ["echo check-ran"],
    });
    expect(result.status).toBe("checks_failed");
    expect(result.checks).toEqual([]);
    expect(result.log).toMatch(
      new RegExp(`^the task's diff does not apply to ${source.commit.slice(0, 12)}; no check ran\\.\\n`),
    );
    expect(result.log).toContain("src/add.js");
    expect(emitted).toContainEqual({ phase: "completed", item: expect.objectContaining({ type: "error" }) });
    expect(commands(emitted)).toEqual([]);
    expectUntouched(repo, source.commit, failingTestRepo["src/add.js"]!);
    expectTornDown(workDir);
  });

  it("is skipped when the environment declares no checks and AGENTS.md names none", async () => {
    const files = { ...failingTestRepo, "AGENTS.md": "Keep functions small. Tests live in `test.js`.\n" };
    const { result, emitted, workDir } = await verify(files, fixAdd, { checks: [] });
    expect(result).toEqual({ status: "skipped", checks: [], log: expect.stringMatching(/^skipped: no checks to run/) });
    expect(commands(emitted)).toEqual([]);
    expectTornDown(workDir);
  });

  it("runs the test command of AGENTS.md when the environment declares none", async () => {
    // failingTestRepo's AGENTS.md: "Run the tests with `node test.js`."
    const { result } = await verify(failingTestRepo, fixAdd, { checks: [] });
    expect(result.status).toBe("verified");
    expect(result.checks.map((check) => check.command)).toEqual(["node test.js"]);
  });

  it("takes the checks from AGENTS.md as committed, not as the diff rewrote it", async () => {
    const rewriteAgentsMd = [
      "diff --git a/AGENTS.md b/AGENTS.md",
      "--- a/AGENTS.md",
      "+++ b/AGENTS.md",
      "@@ -1 +1 @@",
      "-Run the tests with `node test.js`.",
      "+Run the tests with `true`.",
      "",
    ].join("\n");
    const { result } = await verify(failingTestRepo, rewriteAgentsMd, { checks: [] });
    expect(result.status).toBe("checks_failed");
    expect(result.checks.map((check) => check.command)).toEqual(["node test.js"]);
  });

  it("verifies the commit as it is when the diff is empty", async () => {
    const { result } = await verify(passingRepo, "", { checks: ["node test.js"] });
    expect(result.status).toBe("verified");
  });

  it("fails a check that runs past its timeout, and says so in the log", async () => {
    const { result, workDir } = await verify(passingRepo, "", { checks: ["sleep 5"] }, { checkTimeoutMs: 500 });
    expect(result.status).toBe("checks_failed");
    expect(result.checks[0]).toMatchObject({ command: "sleep 5", exitCode: null });
    expect(result.checks[0]!.durationMs).toBeLessThan(4000);
    expect(result.log).toContain("[timed out after 0.5 s and was killed]");
    expect(result.log).toContain("[killed after");
    expectTornDown(workDir);
  });

  it("stops a running check when the signal aborts, throws VerificationCancelledError and still tears down", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const home = tempHome();
    const workDir = path.join(home, "verifications", "attempt-1");
    const run = verify(
      passingRepo,
      "",
      { checks: ["sleep 30"] },
      {
        home,
        signal: controller.signal,
        emitItem: (phase, item) => {
          if (phase === "started" && item.type === "command_execution") setTimeout(() => controller.abort(), 200);
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(VerificationCancelledError);
    expect(Date.now() - started).toBeLessThan(15_000);
    expectTornDown(workDir);
  });

  it("refuses a work directory that already holds something, and leaves it as it was", async () => {
    const home = tempHome();
    const workDir = path.join(home, "busy");
    mkdirSync(workDir);
    writeFileSync(path.join(workDir, "keep.txt"), "mine\n");
    await expect(verify(passingRepo, "", { checks: ["true"] }, { home, workDir })).rejects.toBeInstanceOf(
      WorkDirNotEmptyError,
    );
    expect(readFileSync(path.join(workDir, "keep.txt"), "utf8")).toBe("mine\n");
  });
});

describe("verifyDiff: what a check can reach", () => {
  it("cannot write outside its workspace, and what it writes inside stays out of the source and the snapshot", async () => {
    const repo = makeRepo(passingRepo);
    const home = tempHome();
    cleanup.push(repo, home);
    const source = await inspectSource(repo);
    const workDir = path.join(home, "verifications", "attempt-1");
    const check = [
      'echo "export const add = () => 0;" > src/add.js && echo workspace-writable',
      '(echo x > "$OBJECTS/pwned") 2>/dev/null || echo objects-refused',
      '(echo x > "$SOURCE/pwned") 2>/dev/null',
      '(echo x > "$QUIRE_HOME_DIR/pwned") 2>/dev/null',
      "true",
    ].join("; ");
    const result = await verifyDiff({
      home,
      workDir,
      source,
      environment: {
        ...defaultEnvironment(),
        checks: [check],
        variables: { OBJECTS: source.objectsDir, SOURCE: source.sourceRoot, QUIRE_HOME_DIR: home },
      },
      snapshotScope: LOCAL_SNAPSHOT_SCOPE,
      diff: "",
      sandbox: "bwrap",
    });
    expect(result.status).toBe("verified");
    expect(result.checks[0]!.output).toContain("workspace-writable");
    expect(result.checks[0]!.output).toContain("objects-refused");
    for (const dir of [source.objectsDir, source.sourceRoot, home])
      expect(existsSync(path.join(dir, "pwned"))).toBe(false);
    expectUntouched(repo, source.commit, passingRepo["src/add.js"]!);
    for (const snapshot of snapshotDirs(home)) {
      expect(readFileSync(path.join(snapshot, "src/add.js"), "utf8")).toBe(passingRepo["src/add.js"]);
    }
    expectTornDown(workDir);
  });

  describe("with a host service listening", () => {
    let server: Server;
    let requests = 0;
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("gives setup the secrets and the cached snapshot, and checks neither secrets nor network", async () => {
      server = createServer((_req, res) => {
        requests++;
        res.end("hello");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      const secret = "s3cr3t-verify-4821";
      const environment: Partial<ResolvedEnvironment> = {
        setupScript: 'echo "setup saw ${DEPLOY_TOKEN:+a token}"',
        secrets: [{ name: "DEPLOY_TOKEN", version: "1" }],
        variables: { PORT: String(port) },
        checks: [
          [
            'echo "token:${DEPLOY_TOKEN:-absent}"',
            `node -e "fetch('http://127.0.0.1:' + process.env.PORT).then(() => console.log('network:reached'), () => console.log('network:none'))"`,
          ].join("; "),
        ],
      };
      const first = await verify(passingRepo, "", environment, { secretValues: { DEPLOY_TOKEN: secret } });
      expect(commands(first.emitted)[0]).toMatchObject({ command: "setup script", exit_code: 0 });
      expect(commands(first.emitted)[0]!.aggregated_output).toContain("setup saw a token");
      expect(first.result.status).toBe("verified");
      expect(first.result.log).toContain("token:absent");
      expect(first.result.log).toContain("network:none");
      expect(first.result.log).not.toContain(secret);
      expect(requests).toBe(0);

      // Same environment and commit again: the snapshot is reused, setup does not run.
      const again = await verifyDiff({
        home: first.home,
        workDir: path.join(first.home, "verifications", "attempt-2"),
        source: first.source,
        environment: { ...defaultEnvironment(), ...environment },
        snapshotScope: LOCAL_SNAPSHOT_SCOPE,
        diff: "",
        sandbox: "bwrap",
        secretValues: { DEPLOY_TOKEN: secret },
        emitItem: (phase, item) => first.emitted.push({ phase, item }),
      });
      expect(again.status).toBe("verified");
      expect(commands(first.emitted).filter((item) => item.command === "setup script")).toHaveLength(1);
    });
  });
});
