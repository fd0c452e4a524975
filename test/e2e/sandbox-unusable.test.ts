/**
 * bubblewrap installed but unable to make the sandbox's namespaces for this user (what Ubuntu
 * 23.10+'s AppArmor does to anyone but root): `quire serve` and `quire exec` stop at start and say
 * how to allow it, rather than a server that starts and fails every task.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { providerEnv, runQuire, tempHome, type QuireRun } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";

const scriptedModel = useScriptedModels();

/** A PATH whose bwrap answers as Ubuntu 24.04's does to a user under AppArmor's default policy. */
function pathWithRefusingBwrap(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "quire-bwrap-"));
  writeFileSync(
    path.join(dir, "bwrap"),
    '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
  );
  chmodSync(path.join(dir, "bwrap"), 0o755);
  return `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

/** Runs quire, stopping it after a while: a server that did start would otherwise never end. */
function runStopped(args: string[], options: Parameters<typeof runQuire>[1]): Promise<QuireRun> {
  let timer: NodeJS.Timeout | undefined;
  return runQuire(args, {
    ...options,
    onSpawn: (pid) => {
      timer = setTimeout(() => process.kill(pid, "SIGKILL"), 15_000);
    },
  }).finally(() => clearTimeout(timer));
}

function expectExplained(run: QuireRun, who: string): void {
  expect(run.stderr).toContain(`${who}: bwrap cannot create the namespaces Quire's sandbox needs`);
  expect(run.stderr).toContain("setting up uid map: Permission denied");
  expect(run.stderr).toContain("kernel.apparmor_restrict_unprivileged_userns=0");
  expect(run.code).toBe(1);
}

it("quire serve stops at start, saying how to allow the sandbox", async () => {
  const home = tempHome();
  const run = await runStopped(["serve", "--port", "0", "--provider", "openai", "-m", "m"], {
    cwd: home,
    home,
    env: { PATH: pathWithRefusingBwrap(), OPENAI_API_KEY: "k" },
  });
  expectExplained(run, "quire serve");
  expect(run.stderr).not.toContain("Quire is serving");
}, 30_000);

it("quire exec stops before calling the model", async () => {
  const model = await scriptedModel([{ text: "never asked" }]);
  const run = await runStopped(["exec", "--provider", "openai", "-m", "m", "fix add"], {
    cwd: makeRepo(failingTestRepo),
    home: tempHome(),
    env: { ...providerEnv("openai", model.url), PATH: pathWithRefusingBwrap() },
  });
  expectExplained(run, "quire exec");
  expect(model.requests).toHaveLength(0);
}, 30_000);
