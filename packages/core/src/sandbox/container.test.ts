import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { containerRunArgs, createContainerSandbox, hostOpenFilesLimit } from "./container.js";
import { resolveLimits } from "./limits.js";
import type { ExecRequest, SandboxPolicy } from "./types.js";

let workspace: string;
beforeEach(() => {
  workspace = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-container-")));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const request = (argv: string[], extra: Partial<ExecRequest> = {}): ExecRequest => ({
  argv,
  cwd: workspace,
  timeoutMs: 20_000,
  maxOutputBytes: 64 * 1024,
  ...extra,
});

describe("container run arguments", () => {
  const context = { name: "quire-test", user: "1000:1000", openFiles: 4096 };
  const options = { engine: "podman" as const, image: "example/tools:1" };

  it("builds the exact podman run line for code mode: no network, writable workspace, limits", () => {
    const policy: SandboxPolicy = { workspace, writable: true, network: false };
    const limits = resolveLimits({ processes: 64, memoryBytes: 1 << 30, cpuSeconds: 10, fileSizeBytes: 1 << 20 });
    const args = containerRunArgs(policy, options, limits, request(["ls", "-l"], { env: { CI: "1" } }), context);
    const scratch = "rw,exec,nosuid,nodev,mode=1777";
    expect(args).toEqual([
      ...["run", "--rm", "--name", "quire-test", "--pull=never", "--network", "none"],
      ...["--hostname", "quire-sandbox", "--read-only"],
      ...["--tmpfs", `/tmp:${scratch}`, "--tmpfs", `/home/quire:${scratch}`],
      ...["--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
      ...["--pids-limit", "64", "--memory", "1073741824"],
      ...["--ulimit", "cpu=10:11", "--ulimit", "fsize=1048576", "--ulimit", "nproc=64:64"],
      ...["--ulimit", "core=0:0", "--ulimit", "nofile=4096:4096"],
      ...["--user", "1000:1000", "-v", `${workspace}:${workspace}`, "-w", workspace],
      ...["--env", "HOME=/home/quire", "--env", "LANG=C.UTF-8", "--env", "TERM=dumb", "--env", "TMPDIR=/tmp"],
      ...["--env", "CI=1", "example/tools:1", "ls", "-l"],
    ]);
  });

  it("mounts read-only in ask mode, keeps the default network when allowed, and mounts the spelled path", () => {
    const spelled = path.join(workspace, "link");
    mkdirSync(path.join(workspace, "real"));
    symlinkSync(path.join(workspace, "real"), spelled);
    const real = path.join(workspace, "real");
    const policy: SandboxPolicy = {
      workspace: spelled,
      writable: false,
      network: true,
      readOnlyPaths: ["/srv/objects"],
    };
    const args = containerRunArgs(policy, options, resolveLimits(), request(["true"], { cwd: spelled }), {
      ...context,
      openFiles: null,
    });
    expect(args).not.toContain("--network");
    expect(args.filter((arg) => arg.startsWith("nofile="))).toEqual([]);
    const volumes = args.flatMap((arg, i) => (args[i - 1] === "-v" ? [arg] : []));
    expect(volumes).toEqual(["/srv/objects:/srv/objects:ro", `${real}:${real}:ro`, `${real}:${spelled}:ro`]);
    expect(args.slice(args.indexOf("--pids-limit"), args.indexOf("--pids-limit") + 4)).toEqual([
      ...["--pids-limit", "512", "--memory", String(4 * 1024 ** 3)],
    ]);
    expect(args.slice(-2)).toEqual(["example/tools:1", "true"]);
  });

  it("reads the hard open-files limit of this process", () => {
    const file = path.join(workspace, "limits");
    writeFileSync(
      file,
      "Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 20000                files\n",
    );
    expect(hostOpenFilesLimit(file)).toBe(20000);
    expect(hostOpenFilesLimit(path.join(workspace, "missing"))).toBeNull();
    expect(hostOpenFilesLimit()).toBeGreaterThan(0);
  });
});

// ---- A real engine, when one can run containers here ----

const ENGINE = "podman";
const IMAGE = "localhost/quire-test-tools:1";
const TOOLS = ["sh", "true", "cat", "echo", "env", "id", "ls", "pwd", "sleep", "touch", "seq", "head"];

function engine(args: string[], input?: Buffer) {
  return spawnSync(ENGINE, args, { input, encoding: "buffer", timeout: 60_000 });
}

/** A few host programs and their shared libraries, as a tiny image: no registry is needed. */
function buildImage(root: string): string | null {
  const rootfs = path.join(root, "rootfs");
  for (const dir of ["bin", "tmp", "etc", "proc", "dev", "sys"]) mkdirSync(path.join(rootfs, dir), { recursive: true });
  const copy = (file: string, to: string): void => {
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(file, to);
  };
  for (const tool of TOOLS) {
    // Not `command -v`: it names shell builtins (echo) rather than the program.
    const file = ["/usr/bin", "/bin"].map((dir) => path.join(dir, tool)).find((candidate) => existsSync(candidate));
    if (file === undefined) return `no ${tool} on this host`;
    copy(file, path.join(rootfs, "bin", tool));
    const libraries = spawnSync("ldd", [file], { encoding: "utf8" }).stdout.match(/\/\S+/g) ?? [];
    for (const library of libraries) copy(library, path.join(rootfs, library));
  }
  writeFileSync(path.join(rootfs, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
  const tar = spawnSync("tar", ["-C", rootfs, "-c", "."], { maxBuffer: 1 << 28 });
  const imported = engine(["import", "--quiet", "-", IMAGE], tar.stdout);
  return imported.status === 0 ? null : `podman import failed: ${imported.stderr.toString().trim()}`;
}

/**
 * Whether podman can run a container here, in a private store (vfs: no overlay mounts needed).
 * The engine's own configuration is tried first, then runc with cgroupfs, which is what works
 * in a rootful container on a cgroup v1/v2 hybrid host, where crun refuses to start.
 */
function probeEngine(): { works: boolean; why: string; root: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "quire-podman-"));
  if (engine(["--version"]).status !== 0) return { works: false, why: "podman is not installed", root };
  const storage = `[storage]\ndriver = "vfs"\ngraphroot = "${root}/storage"\nrunroot = "${root}/run"\n`;
  writeFileSync(path.join(root, "storage.conf"), storage);
  process.env.CONTAINERS_STORAGE_CONF = path.join(root, "storage.conf");
  const unbuilt = buildImage(root);
  if (unbuilt) return { works: false, why: unbuilt, root };
  const fallback = '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n';
  let why = "";
  for (const conf of ["", fallback]) {
    writeFileSync(path.join(root, "containers.conf"), conf);
    process.env.CONTAINERS_CONF = path.join(root, "containers.conf");
    const sandbox = [
      "run",
      "--rm",
      "--ulimit",
      `nofile=${hostOpenFilesLimit() ?? 1024}:${hostOpenFilesLimit() ?? 1024}`,
    ];
    const probe = engine([...sandbox, "--ulimit", "nproc=64:64", IMAGE, "true"]);
    if (probe.status === 0) return { works: true, why: "", root };
    why = probe.stderr.toString().trim();
  }
  return { works: false, why, root };
}

const probe = probeEngine();
afterAll(() => {
  delete process.env.CONTAINERS_CONF;
  delete process.env.CONTAINERS_STORAGE_CONF;
  rmSync(probe.root, { recursive: true, force: true });
});

// Skipped where podman is missing or cannot start containers (e.g. no user namespaces, a
// runtime refusing the host's cgroups); `probe.why` says which, and docs/sandbox-backends.md
// records what ran where.
describe.skipIf(!probe.works)(`container sandbox on podman ${probe.why}`, () => {
  const sandbox = (policy: Partial<SandboxPolicy> = {}) =>
    createContainerSandbox({ workspace, writable: true, network: false, ...policy }, { engine: ENGINE, image: IMAGE });
  const containersLeft = (): string => engine(["ps", "--all", "--quiet"]).stdout.toString().trim();

  it("runs in the requested directory as Quire's user, passes the exit code through", async () => {
    const result = await sandbox().exec(request(["sh", "-c", "pwd; id -u; echo oops >&2; echo hi > made; exit 4"]));
    expect(result).toMatchObject({ exitCode: 4, timedOut: false, cancelled: false });
    expect(result.output).toContain(`${workspace}\n${process.getuid?.()}\n`);
    expect(result.output).toContain("oops\n");
    expect(statSync(path.join(workspace, "made")).uid).toBe(process.getuid?.());
  });

  it("reports a missing command as 127", async () => {
    const result = await sandbox().exec(request(["quire-no-such-command"]));
    expect(result.exitCode).toBe(127);
  });

  it("keeps the workspace and the image read-only in ask mode, /tmp and HOME writable", async () => {
    const script = "touch /tmp/a $HOME/b && echo scratch-ok; touch made || echo ws-ro; touch /bin/x || echo image-ro";
    const result = await sandbox({ writable: false }).exec(request(["sh", "-c", script]));
    expect(result.output).toMatch(/scratch-ok[\s\S]*ws-ro[\s\S]*image-ro/);
    expect(() => statSync(path.join(workspace, "made"))).toThrow();
  });

  it("gives no network and only the given environment", async () => {
    process.env.QUIRE_TEST_VISIBLE = "host-value";
    try {
      const result = await sandbox().exec(request(["sh", "-c", "ls /sys/class/net; env"], { env: { GIVEN: "yes" } }));
      expect(result.output.split("\n")[0]).toBe("lo");
      expect(result.output).toContain("GIVEN=yes\n");
      expect(result.output).toContain("HOME=/home/quire\n");
      expect(result.output).not.toContain("host-value");
    } finally {
      delete process.env.QUIRE_TEST_VISIBLE;
    }
  });

  it("applies the process and per-process limits", async () => {
    const limited = sandbox({ limits: { processes: 16, fileSizeBytes: 1 << 20 } });
    const script = "cat /proc/self/limits; for i in $(seq 40); do sleep 2 & done; wait";
    const result = await limited.exec(request(["sh", "-c", script]));
    expect(result.output).toMatch(/Max file size\s+1048576\s+1048576/);
    expect(result.output).toMatch(/Max processes\s+16\s+16/);
    expect(result.output).toMatch(/Cannot fork|Resource temporarily unavailable/);
  });

  it("bounds the output", async () => {
    const result = await sandbox().exec(request(["seq", "100000"], { maxOutputBytes: 1000 }));
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/^1\n2\n[\s\S]*omitted[\s\S]*\n100000\n$/);
  });

  it("kills the container on timeout and on abort, leaving none behind", async () => {
    const timed = await sandbox().exec(request(["sleep", "30"], { timeoutMs: 1500 }));
    expect(timed).toMatchObject({ exitCode: null, timedOut: true, cancelled: false });
    expect(timed.durationMs).toBeLessThan(15_000);
    expect(containersLeft()).toBe("");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const aborted = await sandbox().exec(request(["sleep", "30"], { signal: controller.signal }));
    expect(aborted).toMatchObject({ exitCode: null, timedOut: false, cancelled: true });
    expect(containersLeft()).toBe("");
  });
});
