/**
 * When a command cannot be started, what starts it says so in its own words: prlimit (which sets
 * the rlimits, then execs the command) prints "prlimit: failed to execute rg: No such file or
 * directory", bwrap "bwrap: execvp rg: …", podman's runtime "executable file `rg` not found in
 * $PATH". The model and the user should read what a shell would say, `rg: command not found`,
 * without learning about Quire's wrappers.
 */
import type { ExecResult } from "./types.js";

const WRAPPER_FAILURES: RegExp[] = [
  /^prlimit: failed to execute ([^\n]+?): (No such file or directory|Permission denied)\n?/,
  /^bwrap: execvp ([^\n]+?): (No such file or directory|Permission denied)\n?/,
  /^Error: [^\n]*executable file `([^`\n]+)` not found in \$PATH[^\n]*\n?/,
];

/** The output with a wrapper's failure to start the command said the way bash says it; else as it was. */
export function plainExecFailureText(exitCode: number | null, output: string): string {
  if (exitCode !== 127 && exitCode !== 126) return output;
  for (const pattern of WRAPPER_FAILURES) {
    const match = pattern.exec(output);
    if (!match?.[1]) continue;
    const name = match[1];
    const reason = match[2] ?? "No such file or directory";
    // bash: a bare name is looked up on PATH ("command not found"); a path is opened as given.
    const said =
      reason === "Permission denied"
        ? `${name}: Permission denied`
        : name.includes("/")
          ? `${name}: No such file or directory`
          : `${name}: command not found`;
    return `${said}\n${output.slice(match[0].length)}`;
  }
  return output;
}

/** The same for a whole result (what backends return, and verification logs are made of). */
export function plainExecFailure(result: ExecResult): ExecResult {
  const output = plainExecFailureText(result.exitCode, result.output);
  return output === result.output ? result : { ...result, output };
}
