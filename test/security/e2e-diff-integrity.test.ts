// The diff a person reviews must show what the agent changed, whatever the agent wrote into the
// workspace's `.git` or into `.gitattributes` files: a hostile scripted model changes code and
// plants attributes, diff drivers and config meant to hide it, through the built `quire exec
// --json`. Build first (`npm run build`).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { diffStat } from "@quire/core";
import { startScriptedModelServer } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, makeRepo } from "../helpers/repo.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The fix of src/add.js, made by a command so that it is the agent's own change. */
const FIX_ADD = "sed -i 's/a - b/a + b/' src/add.js";
/** A binary file (NUL bytes) in the base commit, changed by the task: the control. */
const BINARY_BASE = "\0\x01\x02binary-v1\0";
const repoFiles = { ...failingTestRepo, "logo.bin": BINARY_BASE };

/** Runs one task whose model runs `script` in the shell and stops; returns the task's diff. */
async function diffOfHostileTask(script: string): Promise<string> {
  const model = await startScriptedModelServer([
    { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", `${script} && echo planted`] } }] },
    { text: "done" },
  ]);
  cleanups.push(model.close);
  const repo = makeRepo(repoFiles, "quire-diff-attack-");
  const home = tempHome();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "quire-diff-attack-"));
  cleanups.push(() => {
    for (const dir of [repo, home, scratch]) rmSync(dir, { recursive: true, force: true });
  });
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "do the task"], {
    cwd: repo,
    home,
    env: { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "test-key" },
  });
  const final = run.events.at(-1) as { type: string; diff?: string; status?: string };
  if (final?.type !== "task.completed") throw new Error(`no task.completed event:\n${run.stdout}\n${run.stderr}`);
  expect(run.stdout).toContain("planted");
  expect(final.status).toBe("completed");
  return final.diff ?? "";
}

/** The fix of add.js is shown as text, counted as one line out and one in. */
function expectAddFixShown(diff: string): void {
  expect(diff).toContain("diff --git a/src/add.js b/src/add.js");
  expect(diff).toContain("-  return a - b;\n+  return a + b;");
  const addStats = diffStat(diff).files.find((file) => file.path === "src/add.js");
  expect(addStats).toEqual({ path: "src/add.js", added: 1, removed: 1 });
}

/** Only logo.bin (whose bytes are binary) is a binary patch. */
function expectBinaryOnlyWhereBytesAre(diff: string): void {
  const binaryFiles = diff
    .split(/^(?=diff --git )/m)
    .filter((section) => /^GIT binary patch$|^Binary files /m.test(section))
    .map((section) => /^diff --git a\/(\S+)/.exec(section)?.[1]);
  expect(binaryFiles).toEqual(["logo.bin"]);
}

const changeBinary = "printf '\\0\\1\\2binary-v2\\0' > logo.bin";

describe("the reviewed diff against attributes and config the agent plants", () => {
  it("shows a text change as text when .git/info/attributes marks it binary", async () => {
    const diff = await diffOfHostileTask(
      `printf '*.js binary\\n*.js -diff\\n' >> .git/info/attributes && ${FIX_ADD} && ${changeBinary}`,
    );
    expectAddFixShown(diff);
    expectBinaryOnlyWhereBytesAre(diff);
  });

  it("shows the change whatever in-tree .gitattributes, diff drivers and conversions say", async () => {
    const diff = await diffOfHostileTask(
      [
        "printf '*.js binary\\ntest.js diff=hide ident\\npackage.json text eol=crlf\\n' > .gitattributes",
        "printf '*.js -diff\\n' > src/.gitattributes",
        "git config diff.hide.textconv 'echo nothing to see'",
        "git config diff.hide.binary true",
        "printf 'console.log(\"$Id: planted-marker $\");\\n' >> test.js",
        'printf \'{ "name": "tiny", "type": "module", "private": true }\\r\\n\' > package.json',
        FIX_ADD,
        changeBinary,
      ].join(" && "),
    );
    expectAddFixShown(diff);
    expectBinaryOnlyWhereBytesAre(diff);
    // textconv would have hidden it, `ident` would have collapsed it to $Id$.
    expect(diff).toContain('+console.log("$Id: planted-marker $");');
    // `text eol=crlf` would have normalised the CR away on its way into the diff.
    expect(diff).toContain('+{ "name": "tiny", "type": "module", "private": true }\r\n');
    expect(diff).not.toContain("nothing to see");
  });

  it("diffs the workspace, not a directory that core.worktree names", async () => {
    const diff = await diffOfHostileTask(`git config core.worktree /etc && ${FIX_ADD}`);
    expectAddFixShown(diff);
    const files = diffStat(diff).files.map((file) => file.path);
    expect(files).toEqual(["src/add.js"]);
  });
});
