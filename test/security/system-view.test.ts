// What a hostile command learns about the host from the sandbox's own view of the system: the
// mount table (/proc/self/mountinfo) and /etc. Before, the mount table named Quire's home, the
// task's folder and the snapshot, and /etc was the host's own with its private files masked, so
// listing it told which services the host runs (and the masks named the secret files).
import { lstatSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { overlaySupported } from "../../packages/core/src/environments/overlay.js";
import { createSnapshot, LOCAL_SNAPSHOT_SCOPE } from "../../packages/core/src/environments/snapshot.js";
import { HOST_ETC_ALLOWLIST } from "../../packages/core/src/sandbox/sandbox-etc.js";
import { attachSnapshot } from "../../packages/core/src/tasks/prepare.js";
import { git, makeRepo } from "../helpers/repo.js";
import { type HostLayout, makeHostLayout, releaseTaskLayout, sandboxFor, sh, taskLayout } from "./attack-helpers.js";

let host: HostLayout;
let taskDir: string;
beforeEach(() => {
  ({ host, taskDir } = taskLayout("task-view"));
});
afterEach(() => releaseTaskLayout({ host, taskDir }));

const probe = makeHostLayout();
const overlay = await overlaySupported(probe.root);
probe.cleanup();

/** Host paths that must not show: where Quire lives, the task, the snapshot, the host's tmp. */
const hostPaths = (): string[] => [host.root, host.quireHome, taskDir, host.snapshot, os.tmpdir() + "/quire-attack"];

describe("the sandbox's view of the host", () => {
  it.skipIf(!overlay)("a task's mount table names no host path, and its cwd is the neutral /workspace", async () => {
    await attachSnapshot({
      taskDir,
      snapshotDir: host.snapshot,
      overlay: true,
      diskBudget: { bytes: 64 << 20, inodes: 1000 },
    });
    const sandbox = sandboxFor(host, { workspace: path.join(taskDir, "repo") });
    const result = await sh(sandbox, "pwd; cat README.md; cat /proc/self/mountinfo /proc/self/mounts");
    expect(result.output).toMatch(/^\/workspace\nthe snapshot\n/);
    expect(result.output).toMatch(/ \/workspace /); // the control: the workspace's own line is there
    for (const hostPath of hostPaths()) expect(result.output).not.toContain(hostPath);
  });

  it.skipIf(!overlay)("a task's workspace names the user's checkout nowhere: no bind, no alternates", async () => {
    const repo = makeRepo({ "README.md": "the checkout\n" }, "quire-attack-checkout-");
    const commit = git(repo, "rev-parse", "HEAD").trim();
    const snapshot = await createSnapshot({
      location: { home: host.quireHome, scope: LOCAL_SNAPSHOT_SCOPE, envKey: "view" },
      sourceRoot: repo,
      commit,
      prepare: async (checkout) => git(checkout, "rev-parse", "HEAD^{tree}").trim(),
    });
    await attachSnapshot({ taskDir, snapshotDir: snapshot.dir, overlay: true });
    // As a task's sandbox is made (run-task.ts): nothing of the checkout among its read-only paths.
    const sandbox = sandboxFor(host, { workspace: path.join(taskDir, "repo"), readOnlyPaths: [] });
    const result = await sh(
      sandbox,
      "cat /proc/self/mountinfo; cat .git/objects/info/alternates 2>/dev/null; git cat-file -p HEAD:README.md",
    );
    expect(result.output).toContain("the checkout"); // the control: the history is readable
    expect(result.output).not.toContain(repo);
    expect(result.output).not.toContain(path.basename(repo));
    rmSync(repo, { recursive: true, force: true });
  });

  // HOLE: a bind mount shows the path of its source within its file system. Without overlayfs
  // (Quire not root) the workspace is a plain folder bound in, and its host path shows.
  it.fails("a plain-folder workspace's host path does not show in the mount table", async () => {
    const result = await sh(sandboxFor(host), "cat /proc/self/mountinfo");
    for (const hostPath of hostPaths()) expect(result.output).not.toContain(hostPath);
  });

  it("/etc holds only the allowlist and the sandbox's own files: no host service shows", async () => {
    const result = await sh(
      sandboxFor(host),
      "ls -A /etc; echo ---; cat /etc/passwd /etc/group; echo ---; ls -A /etc/ssl",
    );
    const [listing = "", accounts = "", ssl = ""] = result.output.split("---\n");
    const inside = listing.trim().split("\n");
    const topLevel = new Set(HOST_ETC_ALLOWLIST.map((entry) => entry.split("/")[0]!));
    const runtimeConfig = /^(java-\d+-openjdk|python3(\.\d+)?|perl)$/;
    const synthetic = ["group", "hostname", "hosts", "nsswitch.conf", "passwd"];
    for (const name of inside)
      expect(topLevel.has(name) || runtimeConfig.test(name) || synthetic.includes(name)).toBe(true);
    for (const name of synthetic) expect(inside).toContain(name);
    // Every host entry outside the allowlist is absent: service configs, shadow, keys, machine-id.
    const hostOnly = readdirSync("/etc").filter(
      (name) => !topLevel.has(name) && !runtimeConfig.test(name) && !synthetic.includes(name),
    );
    expect(hostOnly.length).toBeGreaterThan(0);
    for (const name of hostOnly) expect(inside).not.toContain(name);
    expect(ssl.trim().split("\n").sort()).toEqual(
      ["certs", "openssl.cnf"].filter((name) => exists(path.join("/etc/ssl", name))),
    );
    const users = accounts
      .trim()
      .split("\n")
      .map((line) => line.split(":")[0]);
    expect(new Set(users)).toEqual(new Set(["root", "quire", "nobody", "nogroup"]));
  });

  it("the tools a task needs still work: bash, git, node, npm, python, rg, certificates, user lookup", async () => {
    const result = await sh(
      sandboxFor(host),
      [
        "set -e",
        "git init -q probe && git -C probe -c user.name=q -c user.email=q@q commit -q --allow-empty -m init && echo git-ok",
        "node -e 'console.log(\"node-ok\")'",
        "npm --version >/dev/null && echo npm-ok",
        "python3 -c 'import ssl, json; ssl.create_default_context(); print(\"python-ok\")'",
        "rg --version >/dev/null && echo rg-ok",
        "whoami; hostname; getent hosts localhost >/dev/null && echo hosts-ok",
        "test -s /etc/ssl/certs/ca-certificates.crt && echo certs-ok",
      ].join("\n"),
      { timeoutMs: 30_000 },
    );
    for (const ok of ["git-ok", "node-ok", "npm-ok", "python-ok", "rg-ok", "hosts-ok", "quire", "quire-sandbox"]) {
      expect(result.output).toContain(ok);
    }
    if (exists("/etc/ssl/certs/ca-certificates.crt")) expect(result.output).toContain("certs-ok");
    expect(result.exitCode).toBe(0);
  });
});

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
