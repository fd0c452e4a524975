import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadAgentsInstructions, readCapped } from "./agents-md.js";

let base: string;
let home: string;
let repo: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), "quire-agents-"));
  home = path.join(base, "home");
  repo = path.join(base, "repo");
  await mkdir(home);
  await mkdir(path.join(repo, "a", "b", "c"), { recursive: true });
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

function load(cwd: string, extra: { fallbackNames?: string[]; maxBytes?: number } = {}) {
  return loadAgentsInstructions({ quireHome: home, repoRoot: repo, cwd, ...extra });
}

/** The order in which the markers appear in the text. */
function order(text: string, markers: string[]): string[] {
  return markers.filter((m) => text.includes(m)).sort((x, y) => text.indexOf(x) - text.indexOf(y));
}

describe("loadAgentsInstructions", () => {
  it("merges one file per directory from the repository root down to cwd, root first", async () => {
    await put(path.join(repo, "AGENTS.md"), "ROOT rules\n");
    await put(path.join(repo, "a", "AGENTS.md"), "A rules\n");
    await put(path.join(repo, "a", "b", "c", "AGENTS.md"), "C rules\n");
    await put(path.join(repo, "other", "AGENTS.md"), "OTHER rules\n");

    const result = await load(path.join(repo, "a", "b", "c"));
    expect(order(result.text, ["C rules", "ROOT rules", "A rules"])).toEqual(["ROOT rules", "A rules", "C rules"]);
    expect(result.text).not.toContain("OTHER rules");
    expect(result.sources.map((s) => path.relative(repo, s.path))).toEqual([
      "AGENTS.md",
      path.join("a", "AGENTS.md"),
      path.join("a", "b", "c", "AGENTS.md"),
    ]);
    expect(result.sources.every((s) => !s.truncated)).toBe(true);
    expect(result.sources[0]?.bytes).toBe(Buffer.byteLength("ROOT rules\n"));
    // Framing tells the model which directory each file governs, relative to the repository root.
    expect(result.text).toContain(
      "# AGENTS.md (repository root: applies to the whole repository)\n<INSTRUCTIONS>\nROOT rules\n</INSTRUCTIONS>",
    );
    expect(result.text).toContain(
      "# a/b/c/AGENTS.md (applies to files under a/b/c/)\n<INSTRUCTIONS>\nC rules\n</INSTRUCTIONS>",
    );
    expect(result.text).not.toContain(base);
  });

  it("prefers AGENTS.override.md over AGENTS.md in the same directory", async () => {
    await put(path.join(repo, "AGENTS.md"), "plain root");
    await put(path.join(repo, "AGENTS.override.md"), "override root");
    await put(path.join(repo, "a", "AGENTS.md"), "plain a");

    const result = await load(path.join(repo, "a"));
    expect(result.text).toContain("override root");
    expect(result.text).not.toContain("plain root");
    expect(result.text).toContain("plain a");
    expect(result.sources.map((s) => path.basename(s.path))).toEqual(["AGENTS.override.md", "AGENTS.md"]);
  });

  it("uses the first configured fallback name only where no AGENTS.md exists", async () => {
    await put(path.join(repo, "AGENTS.md"), "root agents");
    await put(path.join(repo, "CLAUDE.md"), "root claude");
    await put(path.join(repo, "a", "CLAUDE.md"), "a claude");
    await put(path.join(repo, "a", "GEMINI.md"), "a gemini");
    await put(path.join(repo, "a", "b", "GEMINI.md"), "b gemini");

    const result = await load(path.join(repo, "a", "b"), { fallbackNames: ["CLAUDE.md", "GEMINI.md", "../AGENTS.md"] });
    expect(order(result.text, ["root agents", "root claude", "a claude", "a gemini", "b gemini"])).toEqual([
      "root agents",
      "a claude",
      "b gemini",
    ]);
    // Without fallbacks configured, those files are ignored.
    const plain = await load(path.join(repo, "a", "b"));
    expect(plain.sources).toHaveLength(1);
  });

  it("skips empty and whitespace-only files, and an empty override still masks AGENTS.md", async () => {
    await put(path.join(repo, "AGENTS.md"), "   \n\t\n");
    await put(path.join(repo, "a", "AGENTS.override.md"), "");
    await put(path.join(repo, "a", "AGENTS.md"), "masked");
    await put(path.join(repo, "a", "b", "AGENTS.md"), "b rules");

    const result = await load(path.join(repo, "a", "b"));
    expect(result.sources.map((s) => path.relative(repo, s.path))).toEqual([path.join("a", "b", "AGENTS.md")]);
    expect(result.text).not.toContain("masked");
    expect(result.text.match(/<INSTRUCTIONS>/g)).toHaveLength(1);
  });

  it("caps the total contents exactly, marks the cut, and lists files left out", async () => {
    await put(path.join(repo, "AGENTS.md"), "r".repeat(60));
    await put(path.join(repo, "a", "AGENTS.md"), "x".repeat(60));
    await put(path.join(repo, "a", "b", "AGENTS.md"), "never included");

    const result = await load(path.join(repo, "a", "b"), { maxBytes: 100 });
    expect(result.sources).toEqual([
      { path: path.join(repo, "AGENTS.md"), bytes: 60, truncated: false },
      { path: path.join(repo, "a", "AGENTS.md"), bytes: 40, truncated: true },
      { path: path.join(repo, "a", "b", "AGENTS.md"), bytes: 0, truncated: true },
    ]);
    expect(result.text).toContain(
      `<INSTRUCTIONS>\n${"x".repeat(40)}\n[truncated: AGENTS.md instructions are limited to 100 bytes]\n</INSTRUCTIONS>`,
    );
    expect(result.text).not.toContain("x".repeat(41));
    expect(result.text).not.toContain("never included");
    expect(result.text).toContain("[omitted, AGENTS.md byte limit reached: a/b/AGENTS.md");
  });

  it("truncates on a UTF-8 character boundary", async () => {
    // "é" is 2 bytes and "€" 3: a cap of 6 falls inside the second "€".
    await put(path.join(repo, "AGENTS.md"), "ab€€€");
    const result = await load(repo, { maxBytes: 6 });
    expect(result.sources).toEqual([{ path: path.join(repo, "AGENTS.md"), bytes: 5, truncated: true }]);
    expect(result.text).toContain("<INSTRUCTIONS>\nab€\n[truncated");
    expect(result.text).not.toContain("\uFFFD");

    await put(path.join(repo, "AGENTS.md"), "aé");
    const exact = await load(repo, { maxBytes: 3 });
    expect(exact.sources).toEqual([{ path: path.join(repo, "AGENTS.md"), bytes: 3, truncated: false }]);
  });

  it("puts the global file first, lets its override win, and counts it against the cap", async () => {
    await put(path.join(home, "AGENTS.md"), "global plain");
    await put(path.join(repo, "AGENTS.md"), "project root");
    let result = await load(repo);
    expect(order(result.text, ["project root", "global plain"])).toEqual(["global plain", "project root"]);
    expect(result.text).toContain("# AGENTS.md (global: applies to every task)\n<INSTRUCTIONS>\nglobal plain\n");

    await put(path.join(home, "AGENTS.override.md"), "global override");
    result = await load(repo);
    expect(result.text).toContain("global override");
    expect(result.text).not.toContain("global plain");
    expect(result.sources.map((s) => s.path)).toEqual([
      path.join(home, "AGENTS.override.md"),
      path.join(repo, "AGENTS.md"),
    ]);

    result = await load(repo, { maxBytes: 20 });
    expect(result.sources.map((s) => s.bytes)).toEqual([15, 5]);
  });

  it("maxBytes 0 disables the project files but keeps the global one", async () => {
    await put(path.join(home, "AGENTS.md"), "global");
    await put(path.join(repo, "AGENTS.md"), "project");
    const result = await load(repo, { maxBytes: 0 });
    expect(result.text).toContain("global");
    expect(result.text).not.toContain("project");
    expect(result.sources).toHaveLength(1);
    await expect(load(repo, { maxBytes: -1 })).rejects.toThrow(/maxBytes/);
  });

  it("reads only the global file and the repository root when cwd is outside the repository", async () => {
    await put(path.join(home, "AGENTS.md"), "global");
    await put(path.join(repo, "AGENTS.md"), "root");
    await put(path.join(base, "elsewhere", "AGENTS.md"), "elsewhere");
    await put(path.join(base, "AGENTS.md"), "parent of repo");

    const result = await load(path.join(base, "elsewhere"));
    expect(result.sources.map((s) => s.path)).toEqual([path.join(home, "AGENTS.md"), path.join(repo, "AGENTS.md")]);
    expect(result.text).not.toContain("elsewhere\n");
    expect(result.text).not.toContain("parent of repo");
  });

  it("refuses an AGENTS.md symlink that leads outside the repository, but follows one inside", async () => {
    await put(path.join(base, "secret.txt"), "TOP SECRET");
    await symlink(path.join(base, "secret.txt"), path.join(repo, "AGENTS.md"));
    await put(path.join(repo, "docs", "rules.md"), "linked rules");
    await symlink(path.join("..", "docs", "rules.md"), path.join(repo, "a", "AGENTS.md"));
    await symlink(path.join(base, "missing.md"), path.join(repo, "a", "b", "AGENTS.md"));

    const result = await load(path.join(repo, "a", "b"));
    expect(result.text).not.toContain("TOP SECRET");
    expect(result.text).toContain("linked rules");
    expect(result.sources.map((s) => s.path)).toEqual([path.join(repo, "a", "AGENTS.md")]);
  });

  it("confines the global file to Quire's home", async () => {
    await put(path.join(base, "outside.md"), "outside home");
    await symlink(path.join(base, "outside.md"), path.join(home, "AGENTS.override.md"));
    await put(path.join(home, "dotfiles", "agents.md"), "inside home");
    await symlink(path.join(home, "dotfiles", "agents.md"), path.join(home, "AGENTS.md"));

    const result = await load(repo);
    expect(result.text).not.toContain("outside home");
    expect(result.text).toContain("inside home");
  });

  it("returns nothing when there are no files, or no home", async () => {
    expect(await load(repo)).toEqual({ text: "", sources: [] });
    await rm(home, { recursive: true });
    expect(await load(repo)).toEqual({ text: "", sources: [] });
  });
});

describe("readCapped (a file swapped after it was looked at)", () => {
  it("reads a FIFO, a link and a directory as empty at once, instead of blocking or following", async () => {
    const fifo = path.join(repo, "AGENTS.md");
    execFileSync("mkfifo", [fifo]);
    const target = path.join(base, "outside.md");
    await writeFile(target, "host secret");
    await symlink(target, path.join(repo, "linked.md"));
    const started = Date.now();
    for (const file of [fifo, path.join(repo, "linked.md"), path.join(repo, "a")])
      expect(await readCapped(file, 1024)).toEqual({ data: Buffer.alloc(0), truncated: false });
    expect(Date.now() - started).toBeLessThan(2000);
    await put(path.join(repo, "real.md"), "hello");
    expect((await readCapped(path.join(repo, "real.md"), 1024)).data.toString()).toBe("hello");
  });
});
