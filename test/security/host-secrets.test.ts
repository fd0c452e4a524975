// A hostile model's commands that try to read what the host keeps: dotfiles and keys in the
// real HOME, Quire's own config and database, other tasks, the environment of Quire itself.
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HostLayout, makeHostLayout, sandboxFor, sh, treeOf, unique } from "./attack-helpers.js";

let host: HostLayout;
beforeEach(() => {
  host = makeHostLayout();
});
afterEach(() => host.cleanup());

describe("reads of host secrets", () => {
  it("cannot read a key in the real HOME, by path, by ~ or by searching", async () => {
    const name = `.quire-attack-key-${unique()}`;
    const key = path.join(os.homedir(), name);
    writeFileSync(key, `-----BEGIN OPENSSH PRIVATE KEY-----\n${host.secret}\n`, { mode: 0o600 });
    try {
      const result = await sh(
        sandboxFor(host),
        `cat ${key}; cat ~/${name}; ls -la ${os.homedir()} ~; ` +
          `find / -xdev -name '${name}' 2>/dev/null; grep -rs '${host.secret}' /etc /home /root /tmp 2>/dev/null; echo done`,
      );
      expect(result.output).toContain("done");
      expect(result.output).not.toContain(host.secret);
      expect(result.output).not.toContain(name.slice(1) + "\n");
      expect(result.output).toMatch(/No such file or directory/);
    } finally {
      rmSync(key, { force: true });
    }
  });

  it("cannot read Quire's config, database or event logs in its home", async () => {
    const result = await sh(
      sandboxFor(host),
      `cat ${host.quireHome}/config.toml ${host.quireHome}/quire.db; cat ../../../config.toml ../../../quire.db ../events.jsonl; ` +
        `ls -la ${host.quireHome} ../..; grep -rs '${host.secret}' /tmp /home /root /etc /run /var /mnt /srv 2>/dev/null; echo done`,
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toContain(host.secret);
    expect(result.output).not.toContain("config.toml\n");
  });

  it("cannot read other tasks' workspaces or the environment snapshot", async () => {
    const result = await sh(
      sandboxFor(host),
      `cat ${host.otherWorkspace}/.env ${host.snapshot}/setup-output.txt ../../task-b/repo/.env; ` +
        `ls -la ${path.dirname(host.otherWorkspace)} ${path.dirname(host.snapshot)}; echo done`,
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toContain(host.secret);
  });

  it("sees none of the host's environment, in its own env or in /proc/1/environ", async () => {
    const name = `QUIRE_ATTACK_SECRET_${unique().toUpperCase()}`;
    process.env[name] = host.secret;
    try {
      const result = await sh(
        sandboxFor(host),
        "env; echo; for f in /proc/*/environ; do echo \"== $f\"; tr '\\0' '\\n' < \"$f\"; done; cat /proc/1/cmdline; echo done",
      );
      expect(result.output).toContain("== /proc/1/environ"); // the control: it did read them
      expect(result.output).toContain("done");
      expect(result.output).not.toContain(host.secret);
      expect(result.output).not.toContain(name);
    } finally {
      delete process.env[name];
    }
  });

  it("cannot reach host files through /proc/<pid>/root or /proc/<pid>/cwd of Quire's own process", async () => {
    const secretFile = path.join(host.outside, "secret.txt");
    const result = await sh(
      sandboxFor(host),
      `cat /proc/${process.pid}/root${secretFile} /proc/${process.pid}/environ; ls /proc/${process.pid}/cwd; ` +
        `for p in /proc/[0-9]*; do cat "$p/root${secretFile}" 2>/dev/null; done; echo done`,
    );
    expect(result.output).toContain("done");
    expect(result.output).not.toContain(host.secret);
  });
});

describe("symlink and hardlink escapes through the shell", () => {
  it("a symlink to / only leads to the sandbox's own view", async () => {
    const secretFile = path.join(host.outside, "secret.txt");
    const before = treeOf(host.root);
    const result = await sh(
      sandboxFor(host),
      `ln -s / root && ls root/ && cat root${secretFile}; cat root${host.quireHome}/config.toml; ` +
        `ln -s ${host.outside} out && echo pwned > out/secret.txt; echo done`,
    );
    expect(result.output).toContain("usr\n"); // the link works, inside
    expect(result.output).toContain("done");
    expect(result.output).not.toContain(host.secret);
    rmSync(path.join(host.workspace, "root"), { force: true });
    rmSync(path.join(host.workspace, "out"), { force: true });
    expect(treeOf(host.root)).toEqual(before);
  });

  it("cannot hardlink host files into the workspace, hidden or merely read-only", async () => {
    const secretFile = path.join(host.outside, "secret.txt");
    const sandbox = sandboxFor(host, { readOnlyPaths: [host.snapshot] });
    const snapshotFile = path.join(host.snapshot, "setup-output.txt");
    const result = await sh(
      sandbox,
      `ln ${secretFile} stolen; ln ${snapshotFile} snap && echo pwned > snap; ln /etc/passwd passwd && echo pwned >> passwd; ` +
        `ls; echo done`,
    );
    expect(result.output).toContain("done");
    expect(result.output).toMatch(/Invalid cross-device link|No such file or directory|Operation not permitted/);
    expect(treeOf(host.workspace)).toEqual({ "README.md": "a task's repository\n" });
    expect(treeOf(host.snapshot)).toEqual({ "setup-output.txt": `${host.secret}\n` });
  });

  it("a symlink to a host file already in the workspace is not followed out by the sandbox", async () => {
    // As if a repository shipped it: inside, its target simply does not exist.
    const secretFile = path.join(host.outside, "secret.txt");
    symlinkSync(secretFile, path.join(host.workspace, "planted"));
    const result = await sh(sandboxFor(host), "cat planted; echo pwned > planted; echo pwned >> planted; echo done");
    expect(result.output).toContain("done");
    expect(result.output).not.toContain(host.secret);
    expect(treeOf(host.outside)).toEqual({ "secret.txt": `${host.secret}\n` });
  });
});
