/**
 * scripts/install.sh, the README's quick start: it links `quire` onto PATH (idempotently), removes
 * it again, and refuses clearly (exit 1, nothing changed) when Node.js is too old, when a system
 * package is missing and cannot be installed, and when it needs root but has no sudo. As a user it
 * installs through sudo, refreshing the package lists first; and it stops, saying what to do, when
 * bubblewrap cannot run Quire's sandbox for that user. The full install (apt-get, npm ci) runs on
 * the CI machine through .ci/run.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const script = path.join(repoRoot, "scripts/install.sh");
const version = (
  JSON.parse(readFileSync(path.join(repoRoot, "packages/cli/package.json"), "utf8")) as { version: string }
).version;

/** What the script and a linked `quire` run: shell basics, Node.js, and the packages Quire needs. */
const BASICS = ["bash", "env", "id", "dirname", "mkdir", "ln", "rm", "sed", "node", "npm"];
const PACKAGES = ["bwrap", "git", "rg", "python3", "make", "g++"];

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-install-"));
  chmodSync(dir, 0o755);
  temps.push(dir);
  return dir;
}

/** A folder holding only the named commands (links to the host's), to stand for a machine's PATH. */
function pathWith(commands: string[]): string {
  const dir = path.join(tempDir(), "path");
  mkdirSync(dir);
  for (const name of commands) {
    const found = spawnSync("bash", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (found === "") throw new Error(`${name} is not installed on this machine`);
    symlinkSync(found, path.join(dir, name));
  }
  return dir;
}

function run(args: string[], env: Record<string, string>, user: string[] = []) {
  const [command, ...rest] = [...user, script, ...args];
  const result = spawnSync(command ?? script, rest, {
    env: { HOME: os.tmpdir(), LANG: "C.UTF-8", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** `quire` as a shell finds it on PATH, the way the README runs it. */
function quireFromPath(pathVar: string) {
  return spawnSync("bash", ["-c", "quire --version"], { env: { PATH: pathVar }, encoding: "utf8" });
}

describe("scripts/install.sh", () => {
  it("links quire onto PATH, keeps one working link when run again, and removes it on --uninstall", () => {
    const bin = path.join(tempDir(), "bin");
    const env = { PATH: `${bin}:${pathWith([...BASICS, ...PACKAGES])}`, QUIRE_BIN_DIR: bin };
    expect(quireFromPath(env.PATH).status).not.toBe(0);

    const first = run(["--skip-npm-ci"], env);
    expect(first.out).toContain("system packages: all present");
    expect(first.out).toMatch(/sandbox: bubblewrap works for \S+/);
    expect(first.code).toBe(0);
    expect(quireFromPath(env.PATH).stdout.trim()).toBe(version);

    const again = run(["--skip-npm-ci"], env);
    expect(again.code).toBe(0);
    expect(lstatSync(path.join(bin, "quire")).isSymbolicLink()).toBe(true);
    expect(quireFromPath(env.PATH).stdout.trim()).toBe(version);

    const removed = run(["--uninstall"], env);
    expect(removed.code).toBe(0);
    expect(removed.out).toMatch(/remove it with rm -rf "\$\{QUIRE_HOME:-\$HOME\/\.quire\}"/);
    expect(existsSync(path.join(bin, "quire"))).toBe(false);
    expect(quireFromPath(env.PATH).status).not.toBe(0);
  });

  it("leaves a quire it did not make alone", () => {
    const bin = tempDir();
    writeFileSync(path.join(bin, "quire"), "#!/bin/sh\necho mine\n", { mode: 0o755 });
    const env = { PATH: pathWith([...BASICS, ...PACKAGES]), QUIRE_BIN_DIR: bin };
    const install = run(["--skip-npm-ci"], env);
    expect(install.code).toBe(1);
    expect(install.out).toContain("exists and is not a link made by this script");
    expect(run(["--uninstall"], env).code).toBe(1);
    expect(readFileSync(path.join(bin, "quire"), "utf8")).toContain("echo mine");
  });

  it("refuses an old Node.js and says how to get a new one", () => {
    const tools = pathWith(BASICS.filter((name) => name !== "node").concat(PACKAGES));
    writeFileSync(path.join(tools, "node"), "#!/bin/sh\necho 20.18.3\n", { mode: 0o755 });
    const bin = path.join(tempDir(), "bin");
    const result = run(["--skip-npm-ci"], { PATH: tools, QUIRE_BIN_DIR: bin });
    expect(result.code).toBe(1);
    expect(result.out).toContain("Node.js 20.18.3 is too old: install Node.js 20.19 or newer");
    expect(existsSync(bin)).toBe(false);
  });

  it("names the packages to install when there is no apt-get", () => {
    const bin = path.join(tempDir(), "bin");
    const env = { PATH: pathWith([...BASICS, ...PACKAGES.filter((name) => name !== "rg")]), QUIRE_BIN_DIR: bin };
    const result = run(["--skip-npm-ci"], env);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "install these packages with your system's package manager, then run this script again: ripgrep",
    );
    expect(existsSync(bin)).toBe(false);
  });

  // Root (CI) drops to nobody for this; anyone else already is a user without root.
  const asUser =
    process.getuid?.() === 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];

  it("says what to do when it needs root, is not root, and has no sudo", () => {
    const tools = pathWith([...BASICS, ...PACKAGES.filter((name) => name !== "rg"), "apt-get"]);
    const bin = path.join(tempDir(), "bin");
    const result = run(["--skip-npm-ci"], { PATH: tools, QUIRE_BIN_DIR: bin }, asUser);
    expect(result.code).toBe(1);
    expect(result.out).toContain("installing ripgrep");
    expect(result.out).toContain("this step needs root: run the script as root, or install sudo");
  });

  /** A command on the PATH made of a shell script: a stand-in for sudo, apt-get or bwrap. */
  function fakeCommand(dir: string, name: string, script: string): void {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }

  it("as a user, installs what is missing through sudo, refreshing the package lists first", () => {
    const tools = pathWith([...BASICS, ...PACKAGES.filter((name) => name !== "rg")]);
    const logDir = tempDir();
    const log = path.join(logDir, "log");
    const realRg = spawnSync("bash", ["-c", "command -v rg"], { encoding: "utf8" }).stdout.trim();
    // The stand-ins run as the user (nothing here is really root): they log, and apt-get "installs" rg.
    fakeCommand(tools, "sudo", `echo "sudo $*" >> ${log}\nexec "$@"`);
    fakeCommand(
      tools,
      "apt-get",
      `echo "apt-get $*" >> ${log}\ncase "$1" in install) ln -s ${realRg} ${tools}/rg ;; esac`,
    );
    const bin = path.join(tempDir(), "bin");
    mkdirSync(bin);
    for (const dir of [tools, logDir, bin]) chmodSync(dir, 0o777);

    const result = run(["--skip-npm-ci"], { PATH: tools, QUIRE_BIN_DIR: bin }, asUser);
    expect(result.out).toContain("installing ripgrep");
    expect(result.code).toBe(0);
    // Whatever else this user cannot see on the machine (a tool in root's home) is installed with ripgrep.
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls).toHaveLength(4);
    expect(calls.slice(0, 2)).toEqual([
      "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
      "apt-get update -qq",
    ]);
    expect(calls[2]).toMatch(
      /^sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ripgrep\b/,
    );
    expect(calls[3]).toMatch(/^apt-get install -y -qq --no-install-recommends ripgrep\b/);
    expect(quireFromPath(`${bin}:${tools}`).stdout.trim()).toBe(version);
  });

  it("stops, saying what to do, when bubblewrap cannot make the sandbox's namespaces for this user", () => {
    // What bwrap says on Ubuntu 24.04 to a user other than root, under AppArmor's default policy.
    const tools = pathWith([...BASICS, ...PACKAGES.filter((name) => name !== "bwrap")]);
    fakeCommand(tools, "bwrap", 'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1');
    const bin = path.join(tempDir(), "bin");
    const result = run(["--skip-npm-ci"], { PATH: `${bin}:${tools}`, QUIRE_BIN_DIR: bin });
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "quire is installed, but bubblewrap cannot create the namespaces Quire's sandbox needs",
    );
    expect(result.out).toContain("(bwrap: setting up uid map: Permission denied)");
    expect(result.out).toContain('the README\'s "Ubuntu: AppArmor and bubblewrap"');
    expect(result.out).toContain("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
    expect(result.out).not.toContain("done:");
    // Installed all the same: once the sandbox is allowed, quire runs without installing again.
    expect(quireFromPath(`${bin}:${tools}`).stdout.trim()).toBe(version);
  });
});
