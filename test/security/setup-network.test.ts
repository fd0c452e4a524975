// A hostile environment setup script (a member's environment, or a repository's own
// .quire/environment.toml) that tries to reach the host: its loopback services (Quire's API,
// PostgreSQL), its other addresses, its abstract Unix sockets. Setup may use the internet, never
// the host: every probe aims at a service this test runs, and counts what reached it.
import { execFileSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import os from "node:os";
import path from "node:path";
import {
  defaultEnvironment,
  detachDiskLayer,
  detachSnapshot,
  inspectSource,
  LOCAL_SNAPSHOT_SCOPE,
  type OutboundAllowance,
  prepareTaskWorkspace,
  type ResolvedEnvironment,
  type ThreadItem,
  verifyDiff,
} from "@quire/core";
import { afterEach, describe, expect, it } from "vitest";
import { startGitHttpServer } from "../../packages/server/testing/git-http-server.js";
import { git, makeRepo } from "../helpers/repo.js";
import { unique } from "./attack-helpers.js";
import { hostService, type HostService } from "./host-service.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function httpService(respond: (res: import("node:http").ServerResponse) => void): Promise<HostService> {
  let hits = 0;
  const server = createHttpServer((_req, res) => {
    hits++;
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, hits: () => hits };
}

interface SetupRun {
  /** The setup script's output. */
  output: string;
  /** Error items (the proxy's refusals among them). */
  errors: string[];
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function environmentWith(setupScript: string): ResolvedEnvironment {
  return { ...defaultEnvironment(), setupScript };
}

/** Prepares a task workspace of `repo` in `home` the way a task does; its completed items. */
async function prepare(
  repo: string,
  home: string,
  environment: ResolvedEnvironment,
  outbound?: OutboundAllowance,
): Promise<ThreadItem[]> {
  const items: ThreadItem[] = [];
  let next = 0;
  const taskDir = mkdtempSync(path.join(home, "task-"));
  const prepared = await prepareTaskWorkspace({
    home,
    taskDir,
    branch: "quire/setup-test",
    snapshotScope: LOCAL_SNAPSHOT_SCOPE,
    source: await inspectSource(repo),
    environment,
    secretValues: {},
    sandbox: "bwrap",
    signal: new AbortController().signal,
    nextItemId: () => `item_${next++}`,
    emitItem: (phase, item) => {
      if (phase === "completed") items.push(item);
    },
    redact: (text) => text,
    ...(outbound ? { outbound } : {}),
  });
  cleanups.push(async () => {
    await detachSnapshot(taskDir, prepared.overlay);
    await detachDiskLayer(taskDir);
  });
  return items;
}

function setupRunOf(items: ThreadItem[]): SetupRun {
  const command = items.find((item) => item.type === "command_execution");
  return {
    output: command?.type === "command_execution" ? command.aggregated_output : "",
    errors: items.flatMap((item) => (item.type === "error" ? [item.message] : [])),
  };
}

/** Every probe runs, whatever the one before it did. */
const probes = (script: string) => `set +e\n${script}\nexit 0\n`;

/** Runs `script` as the environment's setup, the way a task's preparation does. */
async function runSetup(
  script: string,
  options: { outbound?: OutboundAllowance; environment?: Partial<ResolvedEnvironment> } = {},
): Promise<SetupRun> {
  const repo = makeRepo({ "README.md": "a repository\n" });
  cleanups.push(() => rmSync(repo, { recursive: true, force: true }));
  const home = tempDir("quire-setup-home-");
  const environment = { ...environmentWith(probes(script)), ...options.environment };
  return setupRunOf(await prepare(repo, home, environment, options.outbound));
}

/** curl through the setup's proxy (explicitly: NO_PROXY exempts loopback names), or directly when there is none. */
const curlViaProxy = (url: string, extra = "") =>
  `curl -sS -m 5 ${extra} --noproxy '' --proxy "\${HTTP_PROXY:-}" '${url}'; echo " [curl exit $?]"`;

describe("setup scripts reach the internet, never the host", () => {
  it("cannot connect to a TCP service on the host's 127.0.0.1 (bash, python, curl)", async () => {
    const service = await hostService({ host: "127.0.0.1" }, cleanups);
    const run = await runSetup(
      `exec 3<>/dev/tcp/127.0.0.1/${service.port} && cat <&3\n` +
        `python3 -c 'import socket; print(socket.create_connection(("127.0.0.1", ${service.port}), 2).recv(100))'\n` +
        `curl -sS -m 3 --noproxy '*' http://127.0.0.1:${service.port}/\n`,
    );
    expect(run.output).not.toContain("hello from the host");
    expect(service.hits()).toBe(0);
  });

  it("cannot reach the host's loopback through the proxy, by any name or spelling of it", async () => {
    const service = await hostService({ host: "::" }, cleanups);
    const names = ["localhost", "127.0.0.1", "127.1.2.3", "2130706433", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]"];
    // This machine's own name often resolves to a loopback address (/etc/hosts).
    const hostname = os.hostname();
    const own = await lookup(hostname).catch(() => null);
    if (own && (own.address.startsWith("127.") || own.address === "::1")) names.push(hostname);
    const probes = names.flatMap((name) => [
      curlViaProxy(`http://${name}:${service.port}/`),
      // CONNECT: the proxy resolves the name itself.
      curlViaProxy(`http://${name}:${service.port}/`, "--proxytunnel"),
    ]);
    const run = await runSetup(probes.join("\n"));
    expect(run.output).not.toContain("hello from the host");
    expect(service.hits()).toBe(0);
    expect(run.errors.join("\n")).toMatch(/setup: network: blocked .*(private or local address)/);
  });

  it("cannot reach the host's other addresses (private, unique-local, or its own public one)", async () => {
    const own = Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((entry) => !entry.internal && !entry.address.startsWith("fe80"))
      .map((entry) => (entry.family === "IPv6" ? `[${entry.address}]` : entry.address));
    expect(own.length).toBeGreaterThan(0);
    const service = await hostService({ host: "::" }, cleanups);
    const probes = own.flatMap((address) => [
      curlViaProxy(`http://${address}:${service.port}/`),
      curlViaProxy(`http://${address}:${service.port}/`, "--proxytunnel"),
      `curl -sS -m 3 --noproxy '*' http://${address}:${service.port}/`,
    ]);
    // Private ranges nobody listens on here still get the proxy's refusal, not an attempt.
    probes.push(curlViaProxy("http://10.11.12.13/"), curlViaProxy("http://169.254.169.254/latest/meta-data/"));
    const run = await runSetup(probes.join("\n"));
    expect(run.output).not.toContain("hello from the host");
    expect(service.hits()).toBe(0);
    expect(run.errors).toEqual(
      expect.arrayContaining([expect.stringContaining("10.11.12.13"), expect.stringContaining("169.254.169.254")]),
    );
  });

  it("maintenance scripts (a snapshot reused at another commit) get the same network", async () => {
    const service = await hostService({ host: "127.0.0.1" }, cleanups);
    const repo = makeRepo({ "README.md": "a repository\n" });
    cleanups.push(() => rmSync(repo, { recursive: true, force: true }));
    const home = tempDir("quire-maintenance-home-");
    const environment: ResolvedEnvironment = {
      ...environmentWith("true"),
      maintenanceScript: probes(
        `exec 3<>/dev/tcp/127.0.0.1/${service.port} && cat <&3\n${curlViaProxy(`http://localhost:${service.port}/`)}`,
      ),
    };
    await prepare(repo, home, environment);
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "next");
    const items = await prepare(repo, home, environment);
    const run = setupRunOf(items);
    expect(items.some((item) => item.type === "command_execution" && item.command === "maintenance script")).toBe(true);
    expect(run.output).not.toContain("hello from the host");
    expect(service.hits()).toBe(0);
    expect(run.errors.join("\n")).toMatch(/maintenance: network: blocked/);
  });

  it("cannot connect to an abstract Unix socket the host listens on", async () => {
    const name = `quire-setup-${unique()}`;
    const service = await hostService({ abstract: name }, cleanups);
    const run = await runSetup(
      `python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("\\0${name}"); print(s.recv(200))'\n` +
        `echo probed`,
    );
    expect(run.output).toContain("probed");
    expect(run.output).not.toContain("hello from the host");
    expect(service.hits()).toBe(0);
  });

  it("fetches from a destination the operator allowed, and refuses its redirect to loopback", async () => {
    const secretService = await hostService({ host: "127.0.0.1" }, cleanups);
    const registry = await httpService((res) => res.end("package tarball\n"));
    const redirector = await httpService((res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${secretService.port}/` });
      res.end();
    });
    const outbound = { allowPrivate: [`127.0.0.1:${registry.port}`, `127.0.0.1:${redirector.port}`] };
    const run = await runSetup(
      [
        curlViaProxy(`http://127.0.0.1:${registry.port}/pkg.tgz`),
        // CONNECT too (what https:// and most package managers use).
        curlViaProxy(`http://127.0.0.1:${registry.port}/pkg.tgz`, "--proxytunnel"),
        curlViaProxy(`http://127.0.0.1:${redirector.port}/`, "-L"),
      ].join("\n"),
      { outbound },
    );
    expect(run.output.match(/package tarball/g)).toHaveLength(2);
    expect(registry.hits()).toBe(2);
    expect(redirector.hits()).toBe(1);
    expect(run.output).not.toContain("hello from the host");
    expect(secretService.hits()).toBe(0);
    expect(run.errors.join("\n")).toContain(`127.0.0.1:${secretService.port}`);
  });

  it("git clones over HTTP through the proxy from a git server the operator allowed", async () => {
    const projects = tempDir("quire-setup-projects-");
    const upstream = makeRepo({ "lib.txt": "a dependency\n" });
    cleanups.push(() => rmSync(upstream, { recursive: true, force: true }));
    execFileSync("git", ["clone", "--quiet", "--bare", upstream, path.join(projects, "dep.git")]);
    const gitServer = await startGitHttpServer({ projectRoot: projects, authorization: null });
    cleanups.push(() => gitServer.close());
    const port = new URL(gitServer.url).port;
    // NO_PROXY exempts 127.0.0.1 inside the sandbox (its own loopback): cleared to use the proxy.
    const clone = `NO_PROXY= no_proxy= git clone --quiet ${gitServer.url}/dep.git /tmp/dep && cat /tmp/dep/lib.txt`;
    const allowed = await runSetup(clone, { outbound: { allowPrivate: [`127.0.0.1:${port}`] } });
    expect(allowed.output).toContain("a dependency");
    const refused = await runSetup(clone);
    expect(refused.output).not.toContain("a dependency");
    expect(refused.errors.join("\n")).toMatch(/setup: network: blocked GET http:\/\/127\.0\.0\.1:\d+\/dep\.git/);
  });

  it("an environment's allowlist narrows setup to its domains; it can never open the host", async () => {
    const registry = await httpService((res) => res.end("package tarball\n"));
    const run = await runSetup(curlViaProxy(`http://127.0.0.1:${registry.port}/`), {
      outbound: { allowPrivate: [`127.0.0.1:${registry.port}`] },
      environment: { setupNetwork: { mode: "allowlist", domains: ["registry.example.org"] } },
    });
    expect(registry.hits()).toBe(0);
    expect(run.errors.join("\n")).toMatch(/not in allowlist/);
  });

  it("verification checks have no network at all: not the host, not the proxy", async () => {
    const service = await hostService({ host: "127.0.0.1" }, cleanups);
    const name = `quire-check-${unique()}`;
    const abstract = await hostService({ abstract: name }, cleanups);
    const repo = makeRepo({ "README.md": "a repository\n" });
    cleanups.push(() => rmSync(repo, { recursive: true, force: true }));
    const home = tempDir("quire-verify-home-");
    const probe =
      `exec 3<>/dev/tcp/127.0.0.1/${service.port} && cat <&3; ` +
      `curl -sS -m 3 http://127.0.0.1:${service.port}/; ` +
      `python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("\\0${name}"); print(s.recv(200))'; ` +
      `env | grep -i _proxy; true`;
    const result = await verifyDiff({
      home,
      workDir: path.join(home, "verify"),
      snapshotScope: LOCAL_SNAPSHOT_SCOPE,
      source: await inspectSource(repo),
      environment: { ...defaultEnvironment(), checks: [probe] },
      diff: "",
      sandbox: "bwrap",
      outbound: { allowPrivate: [`127.0.0.1:${service.port}`] },
    });
    expect(result.log).not.toContain("hello from the host");
    expect(result.log).not.toMatch(/HTTP_PROXY=/i);
    expect(service.hits()).toBe(0);
    expect(abstract.hits()).toBe(0);
  });
});
