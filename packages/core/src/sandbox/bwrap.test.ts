import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findBwrap } from "./availability.js";
import { createBwrapSandbox } from "./bwrap.js";
import { SANDBOX_HOME } from "./types.js";
import { omittedMarker } from "./output-buffer.js";
import type { ExecRequest, SandboxPolicy } from "./types.js";

const bwrapPath = findBwrap();
if (bwrapPath === null) throw new Error("these tests need bubblewrap: apt-get install bubblewrap");

let root: string;
let workspace: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "quire-bwrap-"));
  workspace = path.join(root, "ws");
  mkdirSync(workspace);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(argv: string[], options: Partial<SandboxPolicy> & Partial<ExecRequest> = {}) {
  const { writable = true, network = false, readOnlyPaths, ...request } = options;
  const sandbox = createBwrapSandbox({ workspace, writable, network, readOnlyPaths }, bwrapPath!);
  return sandbox.exec({ argv, cwd: workspace, timeoutMs: 10_000, maxOutputBytes: 64 * 1024, ...request });
}

const sh = (script: string, options?: Parameters<typeof run>[1]) => run(["sh", "-c", script], options);

/** Pids of host processes with `token` as one of their arguments. */
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

const unique = (): string => randomBytes(6).toString("hex");

describe("bwrap sandbox", () => {
  it("runs a command and passes output and exit code through", async () => {
    const result = await sh("echo out; echo err >&2; exit 3");
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false });
    expect(result.output).toContain("out\n");
    expect(result.output).toContain("err\n");
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect((await run(["echo", "hello"])).output).toBe("hello\n");
  });

  it("reports a missing command as exit code 127", async () => {
    const result = await run(["quire-no-such-command"]);
    expect(result.exitCode).toBe(127);
    expect(result.output).toContain("quire-no-such-command: command not found\n");
    // Said the way a shell says it, not by the wrapper that sets the limits.
    expect(result.output).not.toMatch(/prlimit|bwrap|execvp/);
  });

  it("streams output and bounds what it keeps", async () => {
    const chunks: string[] = [];
    const result = await sh("head -c 100000 /dev/zero | tr '\\0' x", {
      maxOutputBytes: 1000,
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(chunks.join("")).toBe("x".repeat(100_000));
    expect(result.output).toBe(`${"x".repeat(500)}${omittedMarker(99_000)}${"x".repeat(500)}`);
  });

  it("runs as an unprivileged user with no capabilities, in its own uts namespace", async () => {
    const result = await sh("id -u; hostname; grep CapEff /proc/self/status");
    expect(result.output).toMatch(/^1000\nquire-sandbox\nCapEff:\s+0+\n$/);
  });

  it("lets code mode write the workspace, as the host user", async () => {
    writeFileSync(path.join(workspace, "existing.txt"), "before\n");
    const result = await sh("echo after >> existing.txt && mkdir -p sub && echo new > sub/new.txt");
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(workspace, "existing.txt"), "utf8")).toBe("before\nafter\n");
    expect(readFileSync(path.join(workspace, "sub/new.txt"), "utf8")).toBe("new\n");
  });

  it("keeps the workspace read-only in ask mode, but readable", async () => {
    writeFileSync(path.join(workspace, "existing.txt"), "before\n");
    expect((await run(["cat", "existing.txt"], { writable: false })).output).toBe("before\n");
    const result = await sh("echo x > created.txt", { writable: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("Read-only file system");
    expect(existsSync(path.join(workspace, "created.txt"))).toBe(false);
  });

  it("mounts the system read-only", async () => {
    const name = `quire-test-${unique()}`;
    for (const dir of ["/usr", "/etc"]) {
      const result = await run(["touch", `${dir}/${name}`]);
      expect(result.exitCode).not.toBe(0);
      expect(existsSync(`${dir}/${name}`)).toBe(false);
    }
  });

  it.skipIf(!existsSync("/etc/shadow"))("hides what /etc keeps from other users, even when run by root", async () => {
    const result = await run(["cat", "/etc/shadow"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("No such file or directory"); // not in the sandbox's /etc at all
    expect((await run(["cat", "/etc/passwd"])).output).toMatch(/^root:.*\nquire:x:1000:1000:/);
  });

  it("gives a private /tmp: the host's is neither visible nor writable", async () => {
    const marker = `/tmp/quire-host-marker-${unique()}`;
    writeFileSync(marker, "host");
    try {
      expect((await run(["test", "-e", marker])).exitCode).toBe(1);
      expect((await run(["touch", `${marker}-inside`])).exitCode).toBe(0);
      expect(existsSync(`${marker}-inside`)).toBe(false);
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it("gives a private, empty HOME instead of the host's", async () => {
    const hostFile = path.join(os.homedir(), `.quire-test-${unique()}`);
    writeFileSync(hostFile, "host secret");
    try {
      expect((await run(["cat", hostFile])).exitCode).not.toBe(0);
      const home = await sh('echo "$HOME"; ls -A "$HOME"; touch "$HOME/.rc" && echo writable');
      expect(home.output).toBe(`${SANDBOX_HOME}\nwritable\n`);
    } finally {
      rmSync(hostFile, { force: true });
    }
  });

  it("exposes extra read-only paths, read-only", async () => {
    const extra = path.join(root, "objects");
    mkdirSync(extra);
    writeFileSync(path.join(extra, "pack"), "data");
    expect((await run(["cat", path.join(extra, "pack")])).exitCode).not.toBe(0);
    expect((await run(["cat", path.join(extra, "pack")], { readOnlyPaths: [extra] })).output).toBe("data");
    const write = await run(["touch", path.join(extra, "new")], { readOnlyPaths: [extra] });
    expect(write.exitCode).not.toBe(0);
    expect(existsSync(path.join(extra, "new"))).toBe(false);
  });

  it("does not leak the host environment", async () => {
    process.env.QUIRE_TEST_SECRET_KEY = "sk-should-not-leak";
    try {
      const result = await run(["env"], { env: { GIVEN: "yes" } });
      expect(result.output).not.toContain("sk-should-not-leak");
      // PWD is set by bwrap for --chdir.
      const names = result.output
        .trim()
        .split("\n")
        .map((line) => line.split("=")[0]);
      expect(names.sort()).toEqual(["GIVEN", "HOME", "LANG", "PATH", "PWD", "TERM", "TMPDIR"]);
    } finally {
      delete process.env.QUIRE_TEST_SECRET_KEY;
    }
  });

  describe("network", () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const connect = () => `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`;

    it("cannot reach the host's loopback services by default", async () => {
      const result = await run(["bash", "-c", connect()]);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).not.toContain("connected");
    });

    it("reaches them when the policy allows the network", async () => {
      const result = await run(["bash", "-c", connect()], { network: true });
      expect(result.output).toContain("connected");
    });

    it("has its own working loopback", async () => {
      const script =
        "const net=require('net');const s=net.createServer(c=>c.end()).listen(0,'127.0.0.1',()=>" +
        "net.connect(s.address().port,'127.0.0.1',()=>{console.log('loopback ok');process.exit(0)}))";
      expect((await run(["node", "-e", script])).output).toBe("loopback ok\n");
    });
  });

  // One sleep keeps the output pipe open, the other does not: both must be gone on return.
  const twoSleeps = (token: string) => `sleep ${token} >/dev/null 2>&1 & sleep ${token}`;

  it("kills the whole process tree on timeout", async () => {
    const token = `100.${Date.now() % 1_000_000}`;
    const running = sh(twoSleeps(token), { timeoutMs: 1000 });
    let seen = 0;
    for (let i = 0; i < 40 && seen < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = processesWith(token).length;
    }
    expect(seen).toBe(2); // the scan does see them while they run
    const result = await running;
    expect(result).toMatchObject({ exitCode: null, timedOut: true, cancelled: false });
    expect(result.durationMs).toBeLessThan(3000);
    expect(processesWith(token)).toEqual([]);
  });

  it("kills what a command left in the background when it exits", async () => {
    for (let i = 0; i < 5; i++) {
      const token = `200.${i}${Date.now() % 1_000_000}`;
      const result = await sh(`${twoSleeps(token)} & echo started`);
      expect(result).toMatchObject({ exitCode: 0, output: "started\n", timedOut: false });
      expect(processesWith(token)).toEqual([]);
    }
  });

  it("stops when the signal aborts, and does not start when already aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await run(["sleep", "30"], { signal: controller.signal });
    expect(result).toMatchObject({ exitCode: null, cancelled: true, timedOut: false });
    expect(result.durationMs).toBeLessThan(3000);

    const never = await sh("touch started", { signal: AbortSignal.abort() });
    expect(never.cancelled).toBe(true);
    expect(existsSync(path.join(workspace, "started"))).toBe(false);
  });
});
