import { describe, expect, it } from "vitest";
import { plainExecFailure } from "./exec-failure.js";
import type { ExecResult } from "./types.js";

const failed = (exitCode: number, output: string): ExecResult => ({
  exitCode,
  output,
  timedOut: false,
  cancelled: false,
  durationMs: 1,
});

describe("plainExecFailure", () => {
  it("says what bash says for a command that could not be started, whichever wrapper reported it", () => {
    expect(plainExecFailure(failed(127, "prlimit: failed to execute rg: No such file or directory\n")).output).toBe(
      "rg: command not found\n",
    );
    expect(plainExecFailure(failed(127, "bwrap: execvp rg: No such file or directory\n")).output).toBe(
      "rg: command not found\n",
    );
    const podman =
      "Error: crun: executable file `rg` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found\n";
    expect(plainExecFailure(failed(127, podman)).output).toBe("rg: command not found\n");
    expect(
      plainExecFailure(failed(127, "prlimit: failed to execute ./run.sh: No such file or directory\n")).output,
    ).toBe("./run.sh: No such file or directory\n");
    const denied = plainExecFailure(failed(126, "prlimit: failed to execute ./notes.txt: Permission denied\n"));
    expect(denied).toMatchObject({ exitCode: 126, output: "./notes.txt: Permission denied\n" });
  });

  it("leaves alone what the command itself printed", () => {
    // A program that ran and printed those words is not a failure to start it.
    const ran = failed(1, "prlimit: failed to execute rg: No such file or directory\n");
    expect(plainExecFailure(ran)).toBe(ran);
    const later = failed(127, "make: entering\nprlimit: failed to execute rg: No such file or directory\n");
    expect(plainExecFailure(later)).toBe(later);
  });
});
