import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { quoteArg, quoteArgv } from "./shell-quote.js";

describe("shell quoting for display", () => {
  it("leaves plain words bare and quotes the rest like Codex shows them", () => {
    expect(quoteArgv(["bash", "-lc", "npm test"])).toBe("bash -lc 'npm test'");
    expect(quoteArgv(["ls", "-la", "src/a_b.ts", "x=1", "user@host:path"])).toBe(
      "ls -la src/a_b.ts x=1 user@host:path",
    );
    expect(quoteArg("")).toBe("''");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg("$HOME")).toBe("'$HOME'");
    expect(quoteArg("*.ts")).toBe("'*.ts'");
  });

  it("round-trips through a real shell", () => {
    const argv = ["a b", "it's", "$HOME", "`id`", "new\nline", "", "back\\slash", "ünï", '"q"', "!x"];
    const printed = execFileSync("sh", ["-c", `printf '%s\\0' ${quoteArgv(argv)}`], { encoding: "utf8" });
    expect(printed.split("\0").slice(0, -1)).toEqual(argv);
  });
});
