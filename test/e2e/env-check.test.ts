import { chmodSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";

const definition = `setup = """
npm ci
"""
secrets = ["NPM_TOKEN", "DEPLOY_KEY"]
checks = ["npm test"]
[variables]
NODE_ENV = "test"
[network]
mode = "allowlist"
preset = true
domains = ["internal.example.com"]
[limits]
memory_mb = 2048
`;

it("`quire env secret` stores values from stdin only and never prints them", async () => {
  const home = tempHome();
  const cwd = home;
  const set = await runQuire(["env", "secret", "set", "NPM_TOKEN"], { cwd, home, input: "npm-secret-value\n" });
  expect(set.code).toBe(0);
  expect(set.stdout).toMatch(/^stored NPM_TOKEN \(version [0-9a-f]{12}\)$/m);
  const file = path.join(home, "secrets.toml");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  // The trailing newline of piped input is not part of the value.
  expect(readFileSync(file, "utf8")).toContain('NPM_TOKEN = "npm-secret-value"\n');

  const list = await runQuire(["env", "secret", "list"], { cwd, home });
  expect(list.stdout).toMatch(/^NPM_TOKEN {2}[0-9a-f]{12}$/m);
  expect(list.stdout + list.stderr).not.toContain("npm-secret-value");

  // A value on the command line is a usage error: it would land in shell history and `ps`.
  expect((await runQuire(["env", "secret", "set", "X_KEY", "value"], { cwd, home })).code).toBe(2);
  expect((await runQuire(["env", "secret", "set", "bad-name"], { cwd, home, input: "v" })).code).toBe(2);
  expect((await runQuire(["env", "secret", "rm", "NOPE"], { cwd, home })).code).toBe(1);

  chmodSync(file, 0o644);
  const exposed = await runQuire(["env", "secret", "list"], { cwd, home });
  expect(exposed.code).toBe(1);
  expect(exposed.stderr).toContain(`chmod 600 ${file}`);
  chmodSync(file, 0o600);
  expect((await runQuire(["env", "secret", "rm", "NPM_TOKEN"], { cwd, home })).stdout).toBe("removed NPM_TOKEN\n");
});

it("`quire env check` shows what a task gets, fails naming every problem, and exits 2 on bad flags", async () => {
  const repo = makeRepo({ ".quire/environment.toml": definition, "src/index.js": "" });
  const root = realpathSync(repo);
  const home = tempHome();
  await runQuire(["env", "secret", "set", "NPM_TOKEN"], { cwd: repo, home, input: "npm-secret-value" });

  // DEPLOY_KEY is declared but not stored: invalid, and the report says how to fix it.
  const missing = await runQuire(["env", "check"], { cwd: path.join(repo, "src"), home });
  expect(missing.code).toBe(1);
  expect(missing.stdout).toMatch(/INVALID \(1 problem/);
  expect(missing.stdout).toMatch(/NPM_TOKEN {2}present \(version [0-9a-f]{12}\)/);
  expect(missing.stdout).toMatch(/DEPLOY_KEY {2}MISSING: quire env secret set DEPLOY_KEY/);
  expect(missing.stderr).toContain(`${path.join(root, ".quire/environment.toml")}: secrets: DEPLOY_KEY is not in`);

  await runQuire(["env", "secret", "set", "DEPLOY_KEY"], { cwd: repo, home, input: "deploy-key-value" });
  const ok = await runQuire(["env", "check", "-C", repo], { cwd: home, home });
  expect(ok.stderr).toBe("");
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/: valid\n/);
  expect(ok.stdout).toContain("    npm ci\n");
  expect(ok.stdout).toContain("  NODE_ENV=test\n");
  expect(ok.stdout).toMatch(/network \(agent phase\): allowlist, methods: safe/);
  expect(ok.stdout).toMatch(/preset: registry\.npmjs\.org, .*pypi\.org/);
  expect(ok.stdout).toContain("domains: internal.example.com");
  expect(ok.stdout).toMatch(/memory 2048 MiB/);
  expect(ok.stdout).toMatch(/checks:\n {2}npm test\n/);
  expect(ok.stdout).toMatch(/snapshot cache: reused for 12 h; key [0-9a-f]{20}/);
  expect(ok.stdout).not.toMatch(/warning/);
  for (const value of ["npm-secret-value", "deploy-key-value"]) expect(ok.stdout).not.toContain(value);

  const json = JSON.parse((await runQuire(["env", "check", "--json", "-C", repo], { cwd: home, home })).stdout);
  expect(json).toMatchObject({ repoRoot: root, valid: true, problems: [], missingSecrets: [] });
  expect(json.allowlist).toContain("internal.example.com");
  expect(json.environment.limits.memoryBytes).toBe(2048 * 1024 * 1024);

  // An override in config.toml: network on (warned about) and a broken key, named with its file.
  writeFileSync(
    path.join(home, "config.toml"),
    `[environments.mine]\nrepo = ${JSON.stringify(root)}\n[environments.mine.network]\nmode = "on"\n`,
  );
  const on = await runQuire(["env", "check", "-C", repo], { cwd: home, home });
  expect(on.code).toBe(0);
  expect(on.stdout).toMatch(/^warning: network is on/m);
  expect(on.stdout).toContain(`${path.join(home, "config.toml")} [environments.mine]`);

  writeFileSync(path.join(repo, ".quire/environment.toml"), `${definition}\n[limits.extra]\n`.replace("2048", "0"));
  const bad = await runQuire(["env", "check", "-C", repo, "--json"], { cwd: home, home });
  expect(bad.code).toBe(1);
  const keys = JSON.parse(bad.stdout).problems.map((p: { key: string }) => p.key);
  expect(keys).toStrictEqual(["limits.memory_mb", "limits.extra"]);

  expect((await runQuire(["env", "check", "--bogus"], { cwd: repo, home })).code).toBe(2);
  expect((await runQuire(["env", "check", "-C", path.join(repo, "nope")], { cwd: repo, home })).code).toBe(2);
});

it("`quire env check` shows only the errors of an invalid file, the checks AGENTS.md names, and refuses a non-git directory", async () => {
  const home = tempHome();
  const invalid = makeRepo({ ".quire/environment.toml": "setup = 5\n[limits]\nmemory_mb = 0\n" });
  const bad = await runQuire(["env", "check", "-C", invalid], { cwd: home, home });
  expect(bad.code).toBe(1);
  // Nothing built from defaults: a summary would describe an environment no task gets.
  expect(bad.stdout).not.toMatch(/limits:|network \(agent phase\)|snapshot cache|setup script:/);
  expect(bad.stdout).toMatch(/INVALID \(2 problem/);
  expect(bad.stderr).toContain("setup");
  expect(bad.stderr).toContain("limits.memory_mb");

  // No checks declared, but verification runs the command AGENTS.md names: say so, and where from.
  const repo = makeRepo(failingTestRepo);
  const root = realpathSync(repo);
  const named = await runQuire(["env", "check", "-C", repo], { cwd: home, home });
  expect(named.code).toBe(0);
  expect(named.stdout).not.toMatch(/checks: \(none\)/);
  expect(named.stdout).toContain(
    `checks: none declared; verification runs what AGENTS.md names (${path.join(root, "AGENTS.md")}):\n  node test.js\n`,
  );
  const json = JSON.parse((await runQuire(["env", "check", "--json", "-C", repo], { cwd: home, home })).stdout);
  expect(json.verification).toEqual({
    checks: ["node test.js"],
    from: "AGENTS.md",
    agentsMdFiles: [path.join(root, "AGENTS.md")],
  });

  const plain = makeRepo({ "README.md": "nothing about tests\n" });
  const none = await runQuire(["env", "check", "-C", plain], { cwd: home, home });
  expect(none.stdout).toMatch(/checks: \(none\): verification is skipped/);

  const notGit = mkdtempSync(path.join(os.tmpdir(), "quire-plain-"));
  const refused = await runQuire(["env", "check", "-C", notGit], { cwd: home, home });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(`${notGit} is not inside a git repository`);
  expect(refused.stdout).not.toMatch(/valid/);
});
