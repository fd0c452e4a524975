import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hostGit, HostGitError, runHostGit } from "./host-git.js";

const temp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

function repo(): string {
  const dir = temp("quire-host-git-");
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", dir]);
  writeFileSync(path.join(dir, "a.txt"), "a\n");
  execFileSync("git", ["add", "a.txt"], { cwd: dir });
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "a"], { cwd: dir });
  return dir;
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("host git", () => {
  it("runs neither the repository's fsmonitor nor its hooks", async () => {
    const dir = repo();
    const marks = temp("quire-host-git-marks-");
    execFileSync("git", ["config", "core.fsmonitor", `touch ${marks}/fsmonitor; false`], { cwd: dir });
    const hooks = path.join(dir, ".git", "hooks");
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, "reference-transaction"), `#!/bin/sh\ntouch ${marks}/hook\n`);
    chmodSync(path.join(hooks, "reference-transaction"), 0o755);
    await hostGit(["status", "--porcelain"], { cwd: dir });
    await hostGit(["update-ref", "refs/heads/other", "HEAD"], { cwd: dir });
    expect(existsSync(path.join(marks, "fsmonitor"))).toBe(false);
    expect(existsSync(path.join(marks, "hook"))).toBe(false);
  });

  it("reads no user or system config, and inherits no GIT_* variable", async () => {
    const dir = repo();
    const global = path.join(temp("quire-host-git-config-"), "gitconfig");
    writeFileSync(global, "[user]\n\tname = Host User\n");
    process.env.GIT_CONFIG_GLOBAL = global;
    process.env.GIT_DIR = "/nonexistent";
    expect(execFileSync("git", ["config", "user.name"], { cwd: dir, encoding: "utf8" })).toBe("Host User\n");
    await expect(hostGit(["config", "user.name"], { cwd: dir })).rejects.toBeInstanceOf(HostGitError);
    expect((await hostGit(["rev-parse", "--is-inside-work-tree"], { cwd: dir })).trim()).toBe("true");
  });

  it("refuses transports outside the allowlist: ext:: runs a command, file:// reads the host", async () => {
    const dir = repo();
    const marker = path.join(temp("quire-host-git-ext-"), "ran");
    const ext = await runHostGit(["ls-remote", `ext::sh -c touch% ${marker}`], { cwd: dir });
    expect(ext.exitCode).not.toBe(0);
    expect(ext.stderr).toMatch(/transport 'ext' not allowed/);
    expect(existsSync(marker)).toBe(false);
    const file = await runHostGit(["ls-remote", `file://${dir}`], { cwd: dir, protocols: ["https"] });
    expect(file.stderr).toMatch(/transport 'file' not allowed/);
  });

  it("names the subcommand and says what git said; redacts it; bounds what it keeps", async () => {
    const dir = repo();
    const error = await hostGit(["-c", "x.y=z", "cat-file", "-e", "nosuch-TOKEN"], {
      cwd: dir,
      redact: (text) => text.replaceAll("TOKEN", "[REDACTED]"),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostGitError);
    expect((error as Error).message).toMatch(/^git cat-file failed: /);
    expect((error as Error).message).not.toContain("TOKEN");
    const big = await runHostGit(["cat-file", "blob", "HEAD:a.txt"], { cwd: dir, maxOutputBytes: 1 });
    expect(big.exitCode).not.toBe(0);
    expect(big.stderr).toMatch(/printed more than 1 bytes/);
  });
});
