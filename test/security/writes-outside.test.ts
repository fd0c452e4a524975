// A hostile model's commands that try to write outside the task's workspace.
import { existsSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HostLayout, makeHostLayout, sandboxFor, sh, treeOf, unique } from "./attack-helpers.js";

let host: HostLayout;
beforeEach(() => {
  host = makeHostLayout();
});
afterEach(() => host.cleanup());

describe("writes outside the workspace", () => {
  it("cannot create files in the host's /", async () => {
    const name = `quire-attack-${unique()}`;
    const before = readdirSync("/").sort();
    try {
      const result = await sh(sandboxFor(host), `echo pwned > /${name}; mkdir /${name}.d; touch /etc/${name}`);
      expect(result.exitCode).not.toBe(0);
      expect(existsSync(`/${name}`)).toBe(false);
      expect(existsSync(`/etc/${name}`)).toBe(false);
      expect(readdirSync("/").sort()).toEqual(before);
    } finally {
      for (const leftover of [`/${name}`, `/${name}.d`, `/etc/${name}`])
        rmSync(leftover, { recursive: true, force: true });
    }
  });

  it("cannot write to the host user's real HOME", async () => {
    const home = os.homedir();
    const name = `.quire-attack-${unique()}`;
    const target = path.join(home, name);
    try {
      const script = `echo pwned > ${target}; mkdir -p ${home} && echo pwned > ${target}; echo pwned > ~/${name}; echo pwned >> "$HOME/${name}"`;
      await sh(sandboxFor(host), script);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(home)).not.toContain(name);
    } finally {
      rmSync(target, { force: true });
    }
  });

  it("cannot write to the host's /tmp: writes land in a private tmpfs", async () => {
    const target = path.join(os.tmpdir(), `quire-attack-${unique()}`);
    try {
      const result = await sh(sandboxFor(host), `echo pwned > ${target} && cat ${target}`);
      expect(result.output).toBe("pwned\n"); // the write itself works, inside
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(target, { force: true });
    }
  });

  it("cannot write into another task's workspace, even by its absolute path", async () => {
    const before = treeOf(host.otherWorkspace);
    const evil = path.join(host.otherWorkspace, "backdoor.js");
    const result = await sh(
      sandboxFor(host),
      `mkdir -p ${host.otherWorkspace}; echo pwned > ${evil}; echo pwned > ../../task-b/repo/backdoor2.js; rm -rf ${host.otherWorkspace}/.env`,
    );
    expect(result.output).not.toContain(host.secret);
    expect(treeOf(host.otherWorkspace)).toEqual(before);
  });

  it("cannot write into a cached environment's snapshot", async () => {
    const before = treeOf(host.snapshot);
    await sh(
      sandboxFor(host),
      `mkdir -p ${host.snapshot} && echo pwned > ${host.snapshot}/setup-output.txt; rm -rf ${host.snapshot}; ` +
        `echo pwned > ../../../../snapshots/env-1/poisoned`,
    );
    expect(treeOf(host.snapshot)).toEqual(before);
  });

  it("cannot change read-only paths it is given (a clone's borrowed object store)", async () => {
    const before = treeOf(host.outside);
    const sandbox = sandboxFor(host, { readOnlyPaths: [host.outside] });
    const result = await sh(
      sandbox,
      `cat ${host.outside}/secret.txt >/dev/null && echo readable; echo pwned > ${host.outside}/secret.txt; ` +
        `rm -f ${host.outside}/secret.txt; touch ${host.outside}/new; chmod 777 ${host.outside}`,
    );
    expect(result.output).toContain("readable"); // the control: it is there, and visible
    expect(result.output).toContain("Read-only file system");
    expect(treeOf(host.outside)).toEqual(before);
  });

  it("in ask mode, cannot change the workspace itself", async () => {
    const before = treeOf(host.workspace);
    const result = await sh(
      sandboxFor(host, { writable: false }),
      "echo pwned > README.md; rm -f README.md; touch new; mkdir d; chmod 000 .",
    );
    expect(result.output).toContain("Read-only file system");
    expect(treeOf(host.workspace)).toEqual(before);
  });
});
