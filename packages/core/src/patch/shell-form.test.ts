import { describe, expect, it } from "vitest";
import { extractPatchFromShellCommand } from "./shell-form.js";

const PATCH = "*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch";
const heredoc = (prefix: string, delimiter = "'PATCH'", closing = "PATCH", suffix = "") =>
  `${prefix}apply_patch <<${delimiter}\n${PATCH}\n${closing}${suffix}`;

describe("extractPatchFromShellCommand", () => {
  it("recognises apply_patch and applypatch called with the patch as argument", () => {
    expect(extractPatchFromShellCommand(["apply_patch", PATCH])).toEqual({ patch: PATCH });
    expect(extractPatchFromShellCommand(["applypatch", PATCH])).toEqual({ patch: PATCH });
  });

  it("recognises a heredoc through bash -lc, bash -c, sh and zsh", () => {
    for (const [shell, flag] of [
      ["bash", "-lc"],
      ["bash", "-c"],
      ["sh", "-c"],
      ["zsh", "-lc"],
      ["/bin/bash", "-lc"],
    ] as const) {
      expect(extractPatchFromShellCommand([shell, flag, heredoc("")])).toEqual({ patch: PATCH });
    }
  });

  it("accepts quoted and unquoted delimiters of any word, and a trailing newline", () => {
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("", "'EOF'", "EOF", "\n")])).toEqual({ patch: PATCH });
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("", '"EOF"', "EOF")])).toEqual({ patch: PATCH });
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("", "EOF", "EOF")])).toEqual({ patch: PATCH });
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("", " END_OF_PATCH", "END_OF_PATCH")])).toEqual({
      patch: PATCH,
    });
    const applypatch = `applypatch <<'EOF'\n${PATCH}\nEOF`;
    expect(extractPatchFromShellCommand(["bash", "-lc", applypatch])).toEqual({ patch: PATCH });
  });

  it("strips leading tabs with <<-", () => {
    const script = `apply_patch <<-EOF\n\t${PATCH.split("\n").join("\n\t")}\n\tEOF`;
    expect(extractPatchFromShellCommand(["bash", "-lc", script])).toEqual({ patch: PATCH });
  });

  it("returns the directory of a leading `cd <dir> &&`", () => {
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("cd foo && ")])).toEqual({
      patch: PATCH,
      workdir: "foo",
    });
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc("cd 'foo bar' && ")])).toEqual({
      patch: PATCH,
      workdir: "foo bar",
    });
    expect(extractPatchFromShellCommand(["bash", "-lc", heredoc('cd "foo bar" && ')])).toEqual({
      patch: PATCH,
      workdir: "foo bar",
    });
  });

  it("returns null for anything else", () => {
    const notPatches: string[][] = [
      [],
      ["apply_patch"],
      ["apply_patch", PATCH, "extra"],
      ["ls", "-la"],
      [PATCH],
      ["bash", "-lc", PATCH],
      ["bash", "-lc", "echo hi"],
      ["bash", "-x", heredoc("")],
      ["python", "-c", heredoc("")],
      ["bash", "-lc", heredoc("cd foo; ")],
      ["bash", "-lc", heredoc("cd bar || ")],
      ["bash", "-lc", heredoc("cd bar | ")],
      ["bash", "-lc", heredoc("echo foo && ")],
      ["bash", "-lc", heredoc("cd foo && cd bar && ")],
      ["bash", "-lc", heredoc("cd foo bar && ")],
      ["bash", "-lc", heredoc("echo foo; cd bar && ")],
      ["bash", "-lc", heredoc("cd $HOME && ")],
      ["bash", "-lc", heredoc("", "'PATCH'", "PATCH", "\necho done")],
      ["bash", "-lc", heredoc("", "'PATCH'", "PATCH", " && echo done")],
      ["bash", "-lc", heredoc("", "'PATCH'", "NOT_THE_DELIMITER")],
      ["bash", "-lc", `apply_patch foo <<'PATCH'\n${PATCH}\nPATCH`],
    ];
    for (const argv of notPatches) expect(extractPatchFromShellCommand(argv), JSON.stringify(argv)).toBeNull();
  });
});
