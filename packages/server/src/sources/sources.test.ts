import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UNRESTRICTED_LOCAL_SOURCES } from "./local-source-policy.js";
import { localSource, mirrorDir } from "./sources.js";

const home = mkdtempSync(path.join(os.tmpdir(), "quire-sources-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("localSource", () => {
  it("says a path this process cannot read is for workers that can, and how to reach the others", async () => {
    const missing = path.join(home, "not-on-this-machine");
    await expect(localSource(home, { id: "r1", source: missing }, UNRESTRICTED_LOCAL_SOURCES(home))).rejects.toThrow(
      new RegExp(`repository path ${missing} does not exist on this machine: .*worker.*register it by git URL`),
    );
  });

  it("clones a URL into the process's own home", () => {
    expect(mirrorDir(home, "r1")).toBe(path.join(home, "sources", "r1"));
  });
});
