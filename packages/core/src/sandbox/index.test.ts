import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, findBwrap, probeBwrap, SandboxUnavailableError } from "./index.js";

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "quire-avail-")));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

describe("sandbox availability", () => {
  it("finds an executable bwrap on the search path, skipping non-executable ones", () => {
    expect(findBwrap(dir)).toBeNull();
    script("bwrap", "exit 0", 0o644);
    expect(findBwrap(dir)).toBeNull();
    chmodSync(path.join(dir, "bwrap"), 0o755);
    expect(findBwrap(`relative:${dir}`)).toBe(path.join(dir, "bwrap"));
  });

  it("finds the bwrap installed on this machine, which can create namespaces", () => {
    const bwrap = findBwrap();
    expect(bwrap).not.toBeNull();
    expect(probeBwrap(bwrap!)).toBeNull();
  });

  it("explains how to install bubblewrap and the unsafe opt-out", () => {
    const message = new SandboxUnavailableError("not-installed").message;
    for (const hint of [
      "apt-get install bubblewrap",
      "dnf install bubblewrap",
      "pacman -S bubblewrap",
      "--sandbox none",
    ]) {
      expect(message).toContain(hint);
    }
  });

  it("reports a bwrap that cannot create namespaces, naming the sysctl, once", () => {
    const counter = path.join(dir, "runs");
    const fake = script(
      "bwrap",
      `echo run >> ${counter}; echo 'bwrap: setting up uid map: Permission denied' >&2; exit 1`,
    );
    const error = probeBwrap(fake);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect(error?.reason).toBe("no-namespaces");
    expect(error?.message).toContain("setting up uid map: Permission denied");
    expect(error?.message).toContain("kernel.apparmor_restrict_unprivileged_userns");
    expect(error?.message).toContain("--sandbox none");
    expect(probeBwrap(fake)).toBe(error);
    expect(readFileSync(counter, "utf8")).toBe("run\n");
  });

  it("creates the backend asked for", () => {
    const policy = { workspace: dir, writable: true, network: false };
    expect(createSandbox("bwrap", policy).backend).toBe("bwrap");
    expect(createSandbox("none", policy).backend).toBe("none");
  });
});
