/**
 * A small project and agent scripts for the README's screenshots: prompts read like real ones
 * (no "[script:…]" marker), and the diffs span a few directories so the file tree has a shape.
 */
import type { ScriptedReply } from "@quire/testing";
import type { ConversationScript } from "./web-server.js";
import { planCall, shellCall } from "./web-scripts.js";

export const screenshotRepo: Record<string, string> = {
  "src/math/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "src/math/multiply.js": "export function multiply(a, b) {\n  return a * b;\n}\n",
  "src/index.js": 'export { add } from "./math/add.js";\nexport { multiply } from "./math/multiply.js";\n',
  "test/add.test.js": [
    'import { add } from "../src/math/add.js";',
    "if (add(2, 3) !== 5) {",
    '  console.error("FAIL: add(2, 3) = " + add(2, 3));',
    "  process.exit(1);",
    "}",
    'console.log("ok: add");',
    "",
  ].join("\n"),
  "README.md": "# calc\n\nTiny arithmetic helpers.\n",
  "package.json":
    '{ "name": "calc", "type": "module", "private": true, "scripts": { "test": "node test/add.test.js" } }\n',
  "AGENTS.md": "Run the tests with `node test/add.test.js`.\n",
};

const patch = (body: string): ScriptedReply["toolCalls"] => [
  { name: "apply_patch", arguments: { input: `*** Begin Patch\n${body}\n*** End Patch` } },
];

const fixAdd = "*** Update File: src/math/add.js\n@@ export function add(a, b) {\n-  return a - b;\n+  return a + b;";
const swapped = "*** Update File: src/math/add.js\n@@ export function add(a, b) {\n-  return a - b;\n+  return b - a;";
const multiplied =
  "*** Update File: src/math/add.js\n@@ export function add(a, b) {\n-  return a - b;\n+  return a * b;";
const moreTests = [
  "*** Update File: test/add.test.js",
  '@@ console.log("ok: add");',
  "+if (add(-1, 1) !== 0) {",
  '+  console.error("FAIL: add(-1, 1)");',
  "+  process.exit(1);",
  "+}",
].join("\n");
const readme =
  "*** Update File: README.md\n@@ Tiny arithmetic helpers.\n+\n+`add(a, b)` returns the sum of `a` and `b`.";

const steps = ["Reproduce the failure", "Fix add()", "Cover negative numbers", "Run the tests again"];

/** The best attempt: reproduces, fixes, adds a test and a line of docs, runs the tests. */
const thorough = (turn: number): ScriptedReply =>
  [
    {
      reasoning: "The test says add(2, 3) is wrong. Reproduce it before touching anything.",
      toolCalls: [planCall(steps, 0), shellCall(["node", "test/add.test.js"])],
    },
    {
      reasoning: "`add` subtracts. Fix it, then cover a negative case.",
      toolCalls: [...patch(fixAdd)!, planCall(steps, 2)],
    },
    { toolCalls: [...patch(`${moreTests}\n${readme}`)!, planCall(steps, 3)] },
    { toolCalls: [shellCall(["node", "test/add.test.js"]), planCall(steps, 4)] },
    {
      text: [
        "Fixed `add` in `src/math/add.js:2`: it subtracted its arguments.",
        "",
        "- Added a negative-number case to `test/add.test.js`",
        "- Documented `add` in the README",
        "",
        "`node test/add.test.js` now passes.",
      ].join("\n"),
    },
  ][turn] ?? { text: "Done." };

/** Two hasty attempts whose checks fail, so the thorough one ranks best. */
const hasty =
  (body: string, message: string) =>
  (turn: number): ScriptedReply =>
    [{ toolCalls: patch(body) }, { text: message }][turn] ?? { text: "Done." };

/** A run to catch in the middle: a plan, a reasoning note and a command still printing. */
const slowInstall = (turn: number): ScriptedReply =>
  [
    {
      reasoning: "Check the toolchain, then run the whole suite.",
      toolCalls: [planCall(["Check the toolchain", "Run the suite", "Summarise"], 0), shellCall(["node", "--version"])],
    },
    {
      toolCalls: [
        planCall(["Check the toolchain", "Run the suite", "Summarise"], 1),
        shellCall(["sh", "-c", 'for i in 1 2 3 4 5 6; do echo "suite $i/6: ok"; sleep 0.4; done; sleep 30'], 60_000),
      ],
    },
    { text: "The suite passes." },
  ][turn] ?? { text: "Done." };

export const screenshotScripts: Record<string, ConversationScript> = {
  review: (turn, conversation) =>
    [thorough, hasty(swapped, "Swapped the operands."), hasty(multiplied, "Multiplied instead.")][conversation]?.(
      turn,
    ) ?? { text: "Done." },
  running: slowInstall,
  ask: () => ({ text: "`multiply` lives in `src/math/multiply.js:1`; nothing calls it yet." }),
};

/** Which script a prompt runs, by its words. */
export const screenshotPrompts = {
  review: "Fix the failing add test and cover negative numbers",
  running: "Run the full test suite and summarise the results",
  ask: "Where is multiply defined, and who calls it?",
};

export function pickScreenshotScript(text: string): string | undefined {
  return (Object.keys(screenshotPrompts) as (keyof typeof screenshotPrompts)[]).find((name) =>
    text.includes(screenshotPrompts[name]),
  );
}

/**
 * Plans apply, so the usage page has a meter to show: the built-in Pro plan (its models are
 * "*"), and the scripted model priced like gpt-5 so the tasks have a cost.
 */
export const screenshotPlans = [
  'default_plan = "pro"',
  "",
  "[[prices]]",
  'model = "scripted-model"',
  "input = 1.25",
  "cached_input = 0.125",
  "output = 10",
  "",
].join("\n");
