import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { MAX_FILE_BYTES } from "../../tasks/file-at-commit.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";

interface FileJson {
  path: string;
  commit: string;
  size: number;
  binary: boolean;
  tooLarge: boolean;
  content: string;
}

describe.each(TEST_DIALECTS)("a task's files at its commit on %s", (dialect) => {
  let api: TestApi;
  let taskId: string;
  let source: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    source = makeRepo({
      "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
      "logo.bin": "PNG\0\x01\x02",
      "big.txt": "x".repeat(MAX_FILE_BYTES + 1),
      "odd name #1.txt": "odd\n",
    });
    const registered = await postJson(`${api.url}/api/repositories`, { name: "r", source });
    const { repository } = (await registered.json()) as { repository: { id: string } };
    const created = await postJson(`${api.url}/api/tasks`, {
      repo: repository.id,
      ref: "main",
      mode: "ask",
      prompt: "Where is add?",
    });
    taskId = ((await created.json()) as { task: { id: string } }).task.id;
  });
  afterAll(async () => api?.close());

  const read = (file: string) => fetch(`${api.url}/api/tasks/${taskId}/file?path=${encodeURIComponent(file)}`);

  it("gives a text file as committed, whatever the checkout holds now", async () => {
    writeFileSync(path.join(source, "src/add.js"), "changed in the checkout, not committed\n");
    const response = await read("src/add.js");
    expect(response.status).toBe(200);
    const file = (await response.json()) as FileJson;
    const committed = "export function add(a, b) {\n  return a - b;\n}\n";
    expect(file).toMatchObject({ path: "src/add.js", binary: false, tooLarge: false, size: committed.length });
    expect(file.content).toBe(committed);
    expect(file.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(((await (await read("odd name #1.txt")).json()) as FileJson).content).toBe("odd\n");
  });

  it("says when a file is binary or too large instead of sending it", async () => {
    const binary = (await (await read("logo.bin")).json()) as FileJson;
    expect(binary).toMatchObject({ binary: true, content: "", size: 6 });
    const big = (await (await read("big.txt")).json()) as FileJson;
    expect(big).toMatchObject({ tooLarge: true, content: "", size: MAX_FILE_BYTES + 1 });
  });

  it("refuses paths outside the tree and directories, and answers 404 for what is not there", async () => {
    for (const hostile of ["../etc/passwd", "/etc/passwd", "src/../../x", "src//add.js", "./src/add.js", "a\\b"]) {
      const response = await read(hostile);
      expect(response.status, hostile).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^invalid query: path/);
    }
    const directory = await read("src");
    expect(directory.status).toBe(400);
    expect(((await directory.json()) as { error: { message: string } }).error.message).toBe(
      "src is a tree, not a file",
    );
    expect((await read("src/nope.js")).status).toBe(404);
    expect((await fetch(`${api.url}/api/tasks/${taskId}/file`)).status).toBe(400);
    expect((await fetch(`${api.url}/api/tasks/no-such-task/file?path=a`)).status).toBe(404);
  });
});
