import { describe, expect, it } from "vitest";
import { checksFor, testCommandsInAgentsMd } from "./checks.js";

const none = { checks: [] };

describe("checksFor", () => {
  it("uses the environment's declared checks when there are any, whatever AGENTS.md says", () => {
    const agentsMd = "Run the tests with `npm test`.\n";
    expect(checksFor({ checks: ["make check", "  ", "npm run lint"] }, agentsMd)).toEqual([
      "make check",
      "npm run lint",
    ]);
  });

  it("falls back to the test command AGENTS.md names when the environment declares none", () => {
    expect(checksFor(none, "Run the tests with `node test.js`.\n")).toEqual(["node test.js"]);
    expect(checksFor({ checks: ["   "] }, "Run the tests with `node test.js`.\n")).toEqual(["node test.js"]);
  });

  it("gives nothing when neither names a check", () => {
    expect(checksFor(none, "")).toEqual([]);
  });
});

describe("testCommandsInAgentsMd: commands clearly introduced as the way to run the tests", () => {
  it("reads a repository guide with a labelled list, leaving build, lint, install and one-file commands out", () => {
    const text = [
      "# Working on the project",
      "",
      "## Build, test, lint",
      "- Install: `npm ci` (also builds, through the `prepare` script).",
      "- Build: `npm run build` (tsc project references).",
      "- Test: `npm test` (builds, then vitest: unit tests beside the code, end-to-end tests in `test/e2e/`).",
      "  One file: `npx vitest run path/to/file.test.ts`. End-to-end tests run the built CLI, so build first.",
      "- Lint and type-check: `npm run lint` (ESLint + Prettier + `tsc --noEmit` over sources and tests); format: `npm run format`.",
      "- Needs `bwrap` (Debian: `apt-get install bubblewrap`) and `git`. `.ci/run` installs what is missing.",
      "",
      "## Conventions",
      "- Tests: real git, real bwrap, real file system; only the model is scripted, through",
      "  `startScriptedModelServer` (real wire formats). Every test must be able to fail.",
    ].join("\n");
    expect(testCommandsInAgentsMd(text)).toEqual(["npm test"]);
  });

  it("reads a one-line instruction", () => {
    expect(testCommandsInAgentsMd("Run the tests with `node test.js`.\n")).toEqual(["node test.js"]);
  });

  it("reads a sentence wrapped over two lines", () => {
    expect(
      testCommandsInAgentsMd("After any change, run the full test\nsuite with `make test` and fix what fails.\n"),
    ).toEqual(["make test"]);
  });

  it("reads a shell block right under a tests heading, not the install block of the setup section", () => {
    const text = [
      "# Contributor notes",
      "",
      "## Setup",
      "Install the dev dependencies:",
      "",
      "```bash",
      'pip install -e ".[dev]"',
      "```",
      "",
      "## Testing",
      "",
      "```bash",
      "pytest -q",
      "```",
      "",
      "Run a single test with `pytest tests/test_api.py::test_login`.",
    ].join("\n");
    expect(testCommandsInAgentsMd(text)).toEqual(["pytest -q"]);
  });

  it("takes the commands of a console transcript introduced by a sentence, not their output", () => {
    const text = "To run the test suite:\n\n```console\n$ cargo test --all\nrunning 12 tests\ntest result: ok\n```\n";
    expect(testCommandsInAgentsMd(text)).toEqual(["cargo test --all"]);
  });

  it("takes only the test lines of a several-command block under a tests heading", () => {
    const text = "## Running the tests\n\n```sh\nnpm ci\nnpm run build\nnpm test\n```\n";
    expect(testCommandsInAgentsMd(text)).toEqual(["npm test"]);
  });

  it("reads a command named before what it does, and a bare 'Run' under a tests heading", () => {
    expect(testCommandsInAgentsMd("Run `make check` to run all the checks.\n")).toEqual(["make check"]);
    expect(testCommandsInAgentsMd("## Tests\n\nRun `go test ./...` from the repository root.\n")).toEqual([
      "go test ./...",
    ]);
  });

  it("keeps several test commands in order, each once, and understands the framing of loaded AGENTS.md text", () => {
    const text = [
      "# AGENTS.md (repository root: applies to the whole repository)",
      "<INSTRUCTIONS>",
      "- Unit tests: run `npm test`.",
      "- Lint: `npm run lint`.",
      "- Run the end-to-end tests with `npm run e2e` (needs the build).",
      "Always run the tests with `npm test` before you finish.",
      "</INSTRUCTIONS>",
    ].join("\n");
    expect(testCommandsInAgentsMd(text)).toEqual(["npm test", "npm run e2e"]);
  });
});

describe("testCommandsInAgentsMd: nothing that is not plainly the test command", () => {
  const nothing: [string, string][] = [
    ["style rules only", "Use 2-space indentation. Prefer `const`. Name files in `kebab-case`.\n"],
    ["a command it says not to run", "Do not run the tests with `npm test` here; CI runs them on every push.\n"],
    ["an install before the tests", "Install dependencies with `npm ci` before running tests.\n"],
    ["a setup step introduced by the tests", "Before running tests, run `make deps`.\n"],
    ["where tests live", "Tests live in `tests/` and use `pytest` fixtures.\n"],
    ["one test file", "Run a single test with `npx vitest run src/add.test.ts`.\n"],
    ["a watch mode", "Run tests in watch mode with `npx vitest`.\n"],
    ["a watch script", "Run the tests with `npm run test:watch` while you work.\n"],
    [
      "an API name under a tests heading",
      "## Testing\n\nWrite a test for every bug fix. Use `vitest` APIs, not `jest`.\n",
    ],
    ["a bare run that is an install", "## Testing\n\nRun `npm install` first.\n"],
    ["an install block under a tests heading", "## Running the tests\n\n```sh\nnpm ci\n```\n"],
    ["a placeholder path", "Run the tests of one package with `npm test -w path/to/package`.\n"],
    ["a block under a build heading", "## Build\n\n```sh\nmake\n```\n"],
    ["a code block that is not shell", "## Testing\n\n```python\ndef test_add():\n    assert add(2, 3) == 5\n```\n"],
    ["a placeholder", "Run the tests with `npm test -- <pattern>`.\n"],
    ["an empty file", ""],
  ];
  it.each(nothing)("%s", (_name, text) => {
    expect(testCommandsInAgentsMd(text)).toEqual([]);
  });

  it("names the first of two alternatives only", () => {
    expect(testCommandsInAgentsMd("Run the tests with `npm test` or `yarn test`.\n")).toEqual(["npm test"]);
  });
});
