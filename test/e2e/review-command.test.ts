import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { failingTestRepo, git, makeRepo, writeFiles } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";

const scriptedModel = useScriptedModels();

const findings = [
  {
    title: "Nit: name",
    body: "A clearer name would help.",
    priority: 3,
    confidence: 0.4,
    path: "src/add.js",
    start_line: 1,
    end_line: 1,
  },
  {
    title: "add multiplies",
    body: "`add(2, 3)` returns 6.\nThe test still fails.",
    priority: 1,
    confidence: 0.9,
    path: "src/add.js",
    start_line: 2,
    end_line: 3,
  },
];
const verdict = { findings, overall: { verdict: "needs changes", explanation: "add is still wrong." } };

/** A checkout on `feature`, one commit past main, that breaks add differently. */
function featureCheckout(): string {
  const repo = makeRepo(failingTestRepo);
  git(repo, "checkout", "--quiet", "-b", "feature");
  writeFiles(repo, { "src/add.js": "export function add(a, b) {\n  return a * b;\n}\n" });
  git(repo, "commit", "--quiet", "-am", "multiply");
  return repo;
}

const run = (args: string[], repo: string, url: string, home = tempHome()) =>
  runQuire(["review", "--provider", "openai", "-m", "m", ...args], {
    cwd: repo,
    home,
    env: providerEnv("openai", url),
  });

it("quire review --json prints the validated findings; the readable form lists them by priority with the verdict", async () => {
  const repo = featureCheckout();
  const model = await scriptedModel([
    { toolCalls: [{ name: "shell", arguments: { command: ["git", "diff"] } }] },
    { text: JSON.stringify(verdict) },
    { text: JSON.stringify(verdict) },
  ]);
  const json = await run(["--base", "main", "--json"], repo, model.url);
  expect(json.stderr).toBe("");
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual(verdict);
  // The model was given the branch's change and offered no write tool.
  expect(requestText(model.requests[0]!)).toContain("+  return a * b;");
  expect(requestText(model.requests[0]!)).toContain("main...HEAD (1 commit)");
  const tools = (model.requests[0]!.body as { tools: { name: string }[] }).tools.map((tool) => tool.name);
  expect(tools).not.toContain("apply_patch");
  // The user's checkout is untouched.
  expect(git(repo, "status", "--porcelain")).toBe("");

  // Without --base, main is found; the readable form: most urgent first, path:lines, body, verdict.
  const plain = await run([], repo, model.url);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toBe(
    [
      "[P1] src/add.js:2-3  add multiplies",
      "    `add(2, 3)` returns 6.",
      "    The test still fails.",
      "    (confidence 0.90)",
      "",
      "[P3] src/add.js:1  Nit: name",
      "    A clearer name would help.",
      "    (confidence 0.40)",
      "",
      "Verdict: needs changes",
      "add is still wrong.",
      "",
    ].join("\n"),
  );
  expect(plain.stderr).toContain("review: 2 finding(s), needs changes");
});

it("quire review fails with exit 1 when the reply does not fit twice, and refuses usage mistakes with exit 2", async () => {
  const repo = featureCheckout();
  const model = await scriptedModel([{ text: "LGTM!" }, { text: '{"findings": []}' }]);
  const failed = await run(["--base", "main", "--json"], repo, model.url);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toBe("");
  expect(failed.stderr).toMatch(/did not fit the findings form, asked twice: overall/);
  expect(model.requests).toHaveLength(2);

  const unknownBase = await run(["--base", "nope"], repo, model.url);
  expect(unknownBase.code).toBe(2);
  expect(unknownBase.stderr).toContain("no commit nope");
  const nothing = await run(["--base", "feature"], repo, model.url);
  expect(nothing.code).toBe(2);
  expect(nothing.stderr).toContain("nothing to review");
  const badFlag = await run(["--bogus"], repo, model.url);
  expect(badFlag.code).toBe(2);
  // No usage mistake cost a model call.
  expect(model.requests).toHaveLength(2);
});
